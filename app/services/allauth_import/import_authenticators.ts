/**
 * mfa_authenticator (allauth.mfa) → mfa_authenticators. allauth's default MFA
 * adapter stores secrets as they are (its encrypt() returns the text), so a
 * TOTP `secret` is plain base32 and a recovery-code `seed` plain hex; both
 * are sealed with APP_KEY here, and the codes keep working: the same secret
 * gives the same TOTP codes, the same seed the same printed recovery codes
 * (derived as allauth derives them), with allauth's used mask. A site whose
 * adapter encrypts them must decrypt them first: such rows are skipped with
 * the reason. Keep MFA_RECOVERY_CODE_COUNT as the allauth site had it, since
 * the codes of a seed are its first COUNT.
 *
 * A later run brings changes (a code used, a new set) over the row it made:
 * the used masks of both sides are combined, so a code used on either side
 * stays used. A factor the user set up here, or removed here since the last
 * import, is left as it is. WebAuthn keys go through import_webauthn_keys.ts.
 */
import type { ImportContext } from '#services/allauth_import/import_context'
import { skip } from '#services/allauth_import/import_report'
import { digestFields, Ledger } from '#services/allauth_import/ledger'
import type { SourceAuthenticator } from '#services/allauth_import/source_rows'
import { WritePlan } from '#services/allauth_import/write_plan'
import { sqlTimeOf } from '#services/allauth_import/source_values'
import { sqlTime } from '#models/columns'
import { openSecret, sealSecret } from '#services/mfa/authenticator_store'
import { importWebauthnKeys } from '#services/allauth_import/import_webauthn_keys'

type Row = Record<string, unknown>
type Fields = Record<string, unknown>

const BASE32_SECRET = /^[A-Z2-7]{16,}=*$/i
const SEED = /^[\x21-\x7e]{16,}$/

/** The source factor's fields as this app keeps them (unsealed), or why it stays behind */
function sourceFields(authenticator: SourceAuthenticator): Fields | string {
  const data = (authenticator.data ?? {}) as Record<string, unknown>
  if (authenticator.type === 'totp') {
    const secret = data.secret
    if (typeof secret !== 'string' || !BASE32_SECRET.test(secret))
      return 'its secret is not plain base32 (does the MFA adapter encrypt it?)'
    return { secret: secret.toUpperCase() }
  }
  if (Array.isArray(data.migrated_codes)) {
    if (!data.migrated_codes.every((code) => typeof code === 'string'))
      return 'its migrated codes are not plain text'
    return { migrated_codes: data.migrated_codes }
  }
  const mask = data.used_mask ?? 0
  if (typeof data.seed !== 'string' || !SEED.test(data.seed))
    return 'its seed is not plain text (does the MFA adapter encrypt it?)'
  if (typeof mask !== 'number' || !Number.isSafeInteger(mask) || mask < 0)
    return 'its used_mask is not a whole number'
  return { seed: data.seed, used_mask: mask }
}

/** The stored `data`: secrets sealed; a used mask combined with the one here */
function storedData(fields: Fields, here: Fields | null): string {
  if (typeof fields.secret === 'string')
    return JSON.stringify({ secret: sealSecret(fields.secret) })
  if (Array.isArray(fields.migrated_codes))
    return JSON.stringify({ migrated_codes: fields.migrated_codes.map((code) => sealSecret(code)) })
  const sameSeed = here && openSecret(here.seed) === fields.seed
  const usedHere = sameSeed && typeof here.used_mask === 'number' ? here.used_mask : 0
  const mask = Number(BigInt(fields.used_mask as number) | BigInt(usedHere))
  return JSON.stringify({ seed: sealSecret(fields.seed as string), used_mask: mask })
}

export async function importAuthenticators(context: ImportContext) {
  const report = context.report.tables.mfa_authenticator
  const ledger = await Ledger.load(context.client, context.sourceId, 'mfa_authenticator')
  const rows: Row[] = await context.client
    .from('mfa_authenticators')
    .select('id', 'user_id', 'type', 'data')
    .whereIn('type', ['totp', 'recovery_codes'])
  const here = new Map(rows.map((row) => [`${row.user_id}:${row.type}`, row]))

  const writes = new WritePlan()
  const entries = new WritePlan()
  for (const authenticator of context.source.authenticators) {
    const { id, type, userId } = authenticator
    if (type === 'webauthn') continue
    if (type !== 'totp' && type !== 'recovery_codes') {
      skip(report, `type "${type}" is not an allauth authenticator type`, id)
      continue
    }
    if (!context.importedUsers.has(userId)) {
      skip(report, 'its user was not imported', id)
      continue
    }
    const fields = sourceFields(authenticator)
    if (typeof fields === 'string') {
      skip(report, fields, id)
      continue
    }
    const target = `${userId}:${type}`
    const digests = digestFields(fields)
    const entry = ledger.get(String(id))
    const existing = here.get(target)
    if (existing && !entry) {
      skip(report, 'the user set up this factor here: left as it is', id)
      continue
    }
    if (!existing && entry) {
      skip(report, 'imported before and removed here since: not brought back', id)
      continue
    }
    if (existing) {
      if (Object.keys(digests).every((field) => entry!.digests[field] === digests[field])) {
        report.unchanged++
        continue
      }
      const data = storedData(fields, JSON.parse(String(existing.data)))
      writes.run((client) =>
        client.from('mfa_authenticators').where('id', Number(existing.id)).update({ data })
      )
      report.updated++
    } else {
      writes.insert('mfa_authenticators', {
        user_id: userId,
        type,
        single_type: type,
        data: storedData(fields, null),
        created_at: sqlTimeOf(authenticator.createdAt) ?? sqlTime(),
        last_used_at: sqlTimeOf(authenticator.lastUsedAt),
      })
      report.created++
    }
    ledger.record(entries, String(id), target, digests)
  }
  context.plan.append(writes)
  context.plan.append(entries)
  await importWebauthnKeys(
    context,
    context.source.authenticators.filter((authenticator) => authenticator.type === 'webauthn')
  )
}
