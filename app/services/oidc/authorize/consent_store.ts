/**
 * Remembered consent (data.md §6), and the one owner of `oidc_consents`: one
 * row per user and client, merged on every grant, covering a request when
 * unexpired and a superset of its scopes.
 */
import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import OidcConsent from '#models/oidc_consent'
import oidcConfig from '#config/oidc'
import { sqlTime } from '#models/columns'
import { deleteInBatches } from '#database/statements'
import { revokeUserClientTokens } from '#services/oidc/tokens/token_store'

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

/** Merges a grant into the user's consent for the client; nothing is kept when remembering is off */
export async function rememberConsent(
  userId: number,
  clientId: string,
  scopes: string[],
  email: string | null
) {
  if (oidcConfig.consentExpiresIn === 0) return
  await db.transaction(async (trx) => {
    const existing = await OidcConsent.query({ client: trx })
      .where('user_id', userId)
      .where('client_id', clientId)
      .forUpdate()
      .first()
    const expiresAt = DateTime.utc().plus({ seconds: oidcConfig.consentExpiresIn })
    if (!existing) {
      await OidcConsent.create({ userId, clientId, scopes, email, expiresAt }, { client: trx })
      return
    }
    const stillValid = existing.expiresAt > DateTime.utc() ? existing.scopes : []
    existing.merge({ scopes: [...new Set([...stillValid, ...scopes])], email, expiresAt })
    await existing.useTransaction(trx).save()
  })
}

/** The user's unexpired consents, newest first */
export async function listConsents(userId: number): Promise<OidcConsent[]> {
  return OidcConsent.query()
    .where('user_id', userId)
    .where('expires_at', '>', sqlTime())
    .orderBy('updated_at', 'desc')
}

/** Withdraws the consent and kills every token of that user at that client (tokens.md §6) */
export async function revokeConsent(userId: number, clientId: string) {
  await OidcConsent.query().where('user_id', userId).where('client_id', clientId).delete()
  await revokeUserClientTokens(userId, clientId)
}

export function pruneConsents(now: DateTime) {
  return deleteInBatches('oidc_consents', (query) => query.where('expires_at', '<', sqlTime(now)))
}
