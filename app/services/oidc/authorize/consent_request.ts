/**
 * The pending authorization request carried by the consent form (docs/endpoints.md#consent-page): the
 * validated parameters, the user id, the issue time and an id, signed with
 * APP_KEY. It is bound to the session user, expires after 10 minutes, and
 * answers once: its id is recorded when the form is answered.
 */
import { DateTime } from 'luxon'
import encryption from '@adonisjs/core/services/encryption'
import { sqlTime } from '#models/columns'
import { deleteInBatches, insertIgnoringDuplicate } from '#database/statements'
import { randomValue } from '#services/oidc/protocol/random'

const PURPOSE = 'oidc-consent'
export const CONSENT_REQUEST_LIFETIME_SECONDS = 600

type Payload = { p: Record<string, string>; u: number; iat: number; id: string }

export function signConsentRequest(params: Record<string, string>, userId: number) {
  const payload: Payload = {
    p: params,
    u: userId,
    iat: Math.floor(Date.now() / 1000),
    id: randomValue(16),
  }
  return encryption.getMessageVerifier().sign(payload, undefined, PURPOSE)
}

export type ConsentRequestCheck =
  | { ok: true; id: string; issuedAt: number; params: Record<string, string> }
  | { ok: false; reason: 'tampered' | 'expired' }

export function verifyConsentRequest(blob: string, userId: number): ConsentRequestCheck {
  const payload = encryption.getMessageVerifier().unsign<Payload>(blob, PURPOSE)
  if (
    !payload ||
    typeof payload !== 'object' ||
    payload.u !== userId ||
    typeof payload.p !== 'object'
  ) {
    return { ok: false, reason: 'tampered' }
  }
  /* a form signed before requests had ids cannot be spent: it counts as expired */
  if (Date.now() / 1000 - payload.iat > CONSENT_REQUEST_LIFETIME_SECONDS || !payload.id)
    return { ok: false, reason: 'expired' }
  return { ok: true, id: payload.id, issuedAt: payload.iat, params: payload.p }
}

/** Records the request as answered; false when it already was */
export function spendConsentRequest(id: string, issuedAt: number) {
  const expiresAt = DateTime.fromSeconds(issuedAt + CONSENT_REQUEST_LIFETIME_SECONDS)
  return insertIgnoringDuplicate('oidc_answered_consent_requests', {
    request_id: id,
    expires_at: sqlTime(expiresAt),
  })
}

/** For tokens:prune: answered forms that would have expired by now anyway */
export function pruneAnsweredConsentRequests(now: DateTime) {
  return deleteInBatches('oidc_answered_consent_requests', (query) =>
    query.where('expires_at', '<', sqlTime(now))
  )
}
