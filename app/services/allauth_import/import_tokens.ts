/**
 * allauth_idp_oidc_token → oidc_tokens. allauth stores an access or refresh
 * token as the unsalted SHA-256 hex of its value, as we do, so the hash is
 * copied and the token the client holds keeps working: an access token at
 * userinfo until it expires, a refresh token at the token endpoint, rotated
 * there with reuse detection from then on. Each imported token starts a
 * family of its own (allauth does not link an access token to its refresh
 * token). Expired tokens stay behind, and so do tokens whose client or user
 * was not imported.
 *
 * A token imported before and gone from the source was rotated, revoked or
 * deleted at allauth: it is revoked here. One imported before and since
 * removed here (revoked and pruned) is never brought back.
 */
import { sqlTime } from '#models/columns'
import type { ImportContext } from '#services/allauth_import/import_context'
import { skip, type TableReport } from '#services/allauth_import/import_report'
import { digestFields, Ledger } from '#services/allauth_import/ledger'
import type { SourceToken } from '#services/allauth_import/source_rows'
import { WritePlan } from '#services/allauth_import/write_plan'
import { asDate, sqlTimeOf } from '#services/allauth_import/source_values'
import { randomFamilyId } from '#services/oidc/protocol/random'

type Row = Record<string, unknown>

const SHA256_HEX = /^[0-9a-f]{64}$/
const LOOKUP_CHUNK = 500

const keyOf = (token: { type: string; hash: string }) => `${token.type}:${token.hash}`

/** Why this token stays behind, or null */
function refusal(token: SourceToken, context: ImportContext, now: Date) {
  if (token.type !== 'at' && token.type !== 'rt')
    return `type "${token.type}" is not an access or refresh token`
  if (!SHA256_HEX.test(token.hash)) return 'its hash is not a SHA-256 hex digest'
  if (token.expiresAt && token.expiresAt <= now) return 'expired'
  if (token.clientId === null) return 'it has no client'
  if (!context.importedClients.has(token.clientId)) return 'its client was not imported'
  if (token.userId === null) return token.type === 'rt' ? 'a refresh token without a user' : null
  return context.importedUsers.has(token.userId) ? null : 'its user was not imported'
}

/** The rows here with these hashes, by `type:hash` */
async function rowsHere(context: ImportContext, hashes: string[]) {
  const found = new Map<string, Row>()
  for (let start = 0; start < hashes.length; start += LOOKUP_CHUNK) {
    const rows = await context.client
      .from('oidc_tokens')
      .select('id', 'type', 'hash', 'revoked_at', 'expires_at')
      .whereIn('hash', hashes.slice(start, start + LOOKUP_CHUNK))
    for (const row of rows) found.set(keyOf(row as { type: string; hash: string }), row)
  }
  return found
}

function columnsOf(token: SourceToken) {
  return {
    type: token.type,
    hash: token.hash,
    client_id: token.clientId!,
    user_id: token.userId,
    scopes: token.scopes.join('\n'),
    data: token.email ? JSON.stringify({ email: token.email }) : null,
    created_at: sqlTimeOf(token.createdAt) ?? sqlTime(),
    expires_at: sqlTimeOf(token.expiresAt),
  }
}

/** Imported tokens the source no longer has are revoked here, unless expired or revoked already */
function revokeGone(report: TableReport, plan: WritePlan, ids: number[]) {
  if (!ids.length) return
  report.removed += ids.length
  for (let start = 0; start < ids.length; start += LOOKUP_CHUNK) {
    const chunk = ids.slice(start, start + LOOKUP_CHUNK)
    plan.run((target) =>
      target.from('oidc_tokens').whereIn('id', chunk).update({ revoked_at: sqlTime() })
    )
  }
}

export async function importTokens(context: ImportContext) {
  const report = context.report.tables.allauth_idp_oidc_token
  const ledger = await Ledger.load(context.client, context.sourceId, 'allauth_idp_oidc_token')
  const now = new Date()
  const wanted: SourceToken[] = []
  for (const token of context.source.tokens) {
    const problem = refusal(token, context, now)
    if (problem) skip(report, problem, token.id)
    else wanted.push(token)
  }
  const here = await rowsHere(
    context,
    wanted.map((token) => token.hash)
  )

  const writes = new WritePlan()
  const entries = new WritePlan()
  for (const token of wanted) {
    const key = keyOf(token)
    const existing = here.get(key)
    const entry = ledger.get(key)
    const columns = columnsOf(token)
    if (existing) report.unchanged++
    else if (entry) {
      skip(report, 'imported before and removed here since: not brought back', token.id)
      continue
    } else {
      writes.insert('oidc_tokens', { ...columns, family_id: randomFamilyId(), jti: null })
      report.created++
    }
    ledger.record(entries, key, key, digestFields(columns))
  }

  const goneKeys = ledger.goneKeys(new Set(context.source.tokens.map(keyOf)))
  const gone = await rowsHere(
    context,
    goneKeys.map((key) => key.slice(3))
  )
  const live = [...gone.entries()].filter(([key, row]) => {
    const expiresAt = asDate(row.expires_at)
    return ledger.entries.has(key) && row.revoked_at === null && !(expiresAt && expiresAt <= now)
  })
  revokeGone(
    report,
    writes,
    live.map(([, row]) => Number(row.id))
  )

  context.plan.append(writes)
  context.plan.append(entries)
}
