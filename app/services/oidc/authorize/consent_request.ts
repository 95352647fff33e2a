/**
 * The pending authorization request carried by the consent form (§3.2): the
 * validated parameters, the user id and the issue time, signed with APP_KEY.
 * It is bound to the session user and expires after 10 minutes.
 */
import encryption from '@adonisjs/core/services/encryption'

const PURPOSE = 'oidc-consent'
export const CONSENT_REQUEST_LIFETIME_SECONDS = 600

type Payload = { p: Record<string, string>; u: number; iat: number }

export function signConsentRequest(params: Record<string, string>, userId: number) {
  const payload: Payload = { p: params, u: userId, iat: Math.floor(Date.now() / 1000) }
  return encryption.getMessageVerifier().sign(payload, undefined, PURPOSE)
}

export type ConsentRequestCheck =
  { ok: true; params: Record<string, string> } | { ok: false; reason: 'tampered' | 'expired' }

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
  if (Date.now() / 1000 - payload.iat > CONSENT_REQUEST_LIFETIME_SECONDS)
    return { ok: false, reason: 'expired' }
  return { ok: true, params: payload.p }
}
