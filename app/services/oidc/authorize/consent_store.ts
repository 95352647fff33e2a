/**
 * Remembered consent (docs/data-model.md#consents-oidc_consents), and the one owner of `oidc_consents`: one
 * row per user and client, merged on every grant, covering a request when
 * unexpired and a superset of its scopes.
 */
import { DateTime } from 'luxon'
import OidcConsent from '#models/oidc_consent'
import oidcConfig from '#config/oidc'
import { parseList, sqlTime } from '#models/columns'
import {
  affectedRows,
  changeRows,
  deleteInBatches,
  insertIgnoringDuplicate,
  selectRow,
} from '#database/statements'
import { revokeUserClientTokens } from '#services/oidc/tokens/token_store'
import { isStorableText } from '#database/storable_text'

export async function findConsent(userId: number, clientId: string): Promise<OidcConsent | null> {
  return OidcConsent.query()
    .where('user_id', userId)
    .where('client_id', clientId)
    .where('expires_at', '>', sqlTime())
    .first()
}

export function consentCovers(consent: OidcConsent | null, scopes: string[]) {
  return !!consent && scopes.every((scope) => consent.scopes.includes(scope))
}

/* Each failed attempt means another request changed the record in between */
const MERGE_ATTEMPTS = 10

/**
 * Merges a grant into the user's consent for the client; nothing is kept when
 * remembering is off. No lock is held across statements, so concurrent grants
 * (a double click, several tabs) cannot deadlock: a first consent is an insert
 * that leaves out a duplicate, a later one an update conditional on the scopes
 * it read, tried again when another grant changed them in between.
 */
export async function rememberConsent(
  userId: number,
  clientId: string,
  scopes: string[],
  email: string | null
) {
  if (oidcConfig.consentExpiresIn === 0) return
  for (let attempt = 1; attempt <= MERGE_ATTEMPTS; attempt++) {
    const now = DateTime.utc()
    const expiresAt = sqlTime(now.plus({ seconds: oidcConfig.consentExpiresIn }))
    const existing = await selectRow<{ id: number; scopes: string; live: number | string }>(
      `select id, scopes, case when expires_at > ? then 1 else 0 end as live
       from oidc_consents where user_id = ? and client_id = ?`,
      [sqlTime(now), userId, clientId]
    )
    if (!existing) {
      const row = {
        user_id: userId,
        client_id: clientId,
        scopes: scopes.join('\n'),
        email,
        created_at: sqlTime(now),
        updated_at: sqlTime(now),
        expires_at: expiresAt,
      }
      if (await insertIgnoringDuplicate('oidc_consents', row)) return
      continue
    }
    const kept = Number(existing.live) === 1 ? parseList(existing.scopes) : []
    const merged = [...new Set([...kept, ...scopes])].join('\n')
    const changed = await changeRows(
      `update oidc_consents set scopes = ?, email = ?, expires_at = ?, updated_at = ?
       where id = ? and scopes = ?`,
      [merged, email, expiresAt, sqlTime(now), existing.id, existing.scopes]
    )
    if (changed) return
  }
  throw new Error(`the consent of user ${userId} at ${clientId} kept changing during the merge`)
}

/** The user's unexpired consents, newest first */
export async function listConsents(userId: number): Promise<OidcConsent[]> {
  return OidcConsent.query()
    .where('user_id', userId)
    .where('expires_at', '>', sqlTime())
    .orderBy('updated_at', 'desc')
}

/** The client's unexpired consents, newest first (the admin console) */
export async function listClientConsents(clientId: string): Promise<OidcConsent[]> {
  return OidcConsent.query()
    .where('client_id', clientId)
    .where('expires_at', '>', sqlTime())
    .orderBy('updated_at', 'desc')
}

/**
 * Withdraws the consent and kills every token of that user at that client
 * (docs/tokens.md#families-refresh-and-revocation); whether there was a
 * consent to withdraw.
 */
export async function revokeConsent(userId: number, clientId: string): Promise<boolean> {
  if (!isStorableText(clientId)) return false
  const deleted = await OidcConsent.query()
    .where('user_id', userId)
    .where('client_id', clientId)
    .delete()
  await revokeUserClientTokens(userId, clientId)
  return affectedRows(deleted) > 0
}

export function pruneConsents(now: DateTime) {
  return deleteInBatches('oidc_consents', (query) => query.where('expires_at', '<', sqlTime(now)))
}
