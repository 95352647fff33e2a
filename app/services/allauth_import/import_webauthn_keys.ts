/**
 * mfa_authenticator rows of type `webauthn` → mfa_authenticators, so that
 * users keep their security keys and passkeys. allauth's `data` ({"name",
 * "credential"}, the browser's registration answer) is this app's format
 * too (app/services/mfa/webauthn/stored_credentials.ts), so it comes over
 * as it is; its public key and credential id are read from it, and a row
 * whose credential cannot be read is skipped. Passkeys keep working without
 * a password too: their user handle is the user id, which the import keeps.
 *
 * A key is known here by its user and credential id (the ledger's target
 * key). A later run renames a key renamed at allauth, leaves one removed
 * here removed, and removes one the source no longer has. A key the user
 * registered here as well is kept as it is.
 */
import { sqlTime } from '#models/columns'
import type { ImportContext } from '#services/allauth_import/import_context'
import type { SourceAuthenticator } from '#services/allauth_import/source_rows'
import { skip } from '#services/allauth_import/import_report'
import { changedFields, digestFields, Ledger } from '#services/allauth_import/ledger'
import { sqlTimeOf } from '#services/allauth_import/source_values'
import { WritePlan } from '#services/allauth_import/write_plan'
import { keyCredential, readStoredKey } from '#services/mfa/webauthn/stored_credentials'

/* The ledger of keys, apart from the other authenticator types' */
const LEDGER_TABLE = 'mfa_authenticator.webauthn'

type Json = Record<string, unknown>
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/** The keys here, by `<user id> <credential id>` */
async function keysHere(context: ImportContext) {
  const rows: { id: number; user_id: number; data: string }[] = await context.client
    .from('mfa_authenticators')
    .where('type', 'webauthn')
    .select('id', 'user_id', 'data')
  const keys = new Map<string, { id: number; data: Json }>()
  for (const row of rows) {
    const data = JSON.parse(row.data)
    const stored = isObject(data) ? readStoredKey(data) : null
    const credential = stored && keyCredential(stored)
    if (credential) keys.set(`${row.user_id} ${credential.id}`, { id: Number(row.id), data })
  }
  return keys
}

export async function importWebauthnKeys(context: ImportContext, rows: SourceAuthenticator[]) {
  const { client, plan } = context
  const report = context.report.tables.mfa_authenticator
  const ledger = await Ledger.load(client, context.sourceId, LEDGER_TABLE)
  const here = await keysHere(context)
  const writes = new WritePlan()
  const entries = new WritePlan()
  const present = new Set<string>()

  for (const row of rows) {
    const sourceKey = String(row.id)
    if (!context.importedUsers.has(row.userId)) {
      skip(report, 'a webauthn key whose user was not imported', sourceKey)
      continue
    }
    const stored = isObject(row.data) ? readStoredKey(row.data) : null
    const credential = stored && keyCredential(stored)
    if (!stored || !credential) {
      skip(report, 'a webauthn key whose credential cannot be read', sourceKey)
      continue
    }
    present.add(sourceKey)
    const targetKey = `${row.userId} ${credential.id}`
    const wanted = { name: stored.name, credential: stored.credential }
    const digests = digestFields({ user_id: row.userId, ...wanted })
    const entry = ledger.get(sourceKey)
    const existing = here.get(targetKey)
    ledger.record(entries, sourceKey, targetKey, digests)

    if (!existing) {
      if (entry) {
        skip(report, 'a webauthn key removed here since the last import', sourceKey)
        continue
      }
      writes.insert('mfa_authenticators', {
        user_id: row.userId,
        type: 'webauthn',
        single_type: null,
        data: JSON.stringify(wanted),
        created_at: sqlTimeOf(row.createdAt) ?? sqlTime(),
        last_used_at: sqlTimeOf(row.lastUsedAt),
      })
      report.created++
      continue
    }
    /* the name is all that can change; the signature counter seen here stays */
    const renamed =
      entry && changedFields(entry, digests).includes('name') && existing.data.name !== stored.name
    if (!renamed) {
      report.unchanged++
      continue
    }
    const data = JSON.stringify({ ...existing.data, name: stored.name })
    writes.run((target) =>
      target.from('mfa_authenticators').where('id', existing.id).update({ data })
    )
    report.updated++
  }

  for (const sourceKey of ledger.goneKeys(present)) {
    const entry = ledger.get(sourceKey)!
    const existing = here.get(entry.targetKey)
    if (existing) {
      writes.run((target) => target.from('mfa_authenticators').where('id', existing.id).delete())
      report.removed++
    }
    ledger.forget(entries, entry)
  }
  plan.append(writes)
  plan.append(entries)
}
