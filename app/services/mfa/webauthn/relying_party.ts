/**
 * Who the WebAuthn ceremonies are for: the RP id is the host of APP_URL (the
 * issuer) without its port, as allauth takes the request's host, and the one
 * origin accepted is APP_URL's. Offering webauthn therefore needs APP_URL
 * (config/mfa.ts refuses to boot without it). MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN
 * (allauth's setting, for development) also accepts the other http:// origins
 * of that host.
 */
import { decodeClientDataJSON } from '@simplewebauthn/server/helpers'
import accountsConfig from '#config/accounts'
import mfaConfig from '#config/mfa'
import oidcConfig from '#config/oidc'

export type RelyingParty = { id: string; name: string; origin: string }

export function relyingParty(): RelyingParty {
  if (!oidcConfig.appUrl) throw new Error('APP_URL must be set to offer security keys')
  const url = new URL(oidcConfig.appUrl)
  return { id: url.hostname, name: accountsConfig.siteName ?? url.host, origin: url.origin }
}

/** The origins an answer may come from, given the clientDataJSON it carries */
export function acceptedOrigins(rp: RelyingParty, clientDataJSON: string): string[] {
  if (!mfaConfig.webauthnAllowInsecureOrigin) return [rp.origin]
  const claimed = decodeClientDataJSON(clientDataJSON).origin
  const url = URL.canParse(claimed) ? new URL(claimed) : null
  return url?.protocol === 'http:' && url.hostname === rp.id ? [rp.origin, url.origin] : [rp.origin]
}
