/**
 * Cleaning an RP-initiated logout request (OpenID Connect RP-Initiated
 * Logout 1.0, docs/endpoints.md#rp-initiated-logout): the id_token_hint is checked (signature and
 * issuer, not expiry or audience), client_id and the hint's audience must
 * agree, and a post_logout_redirect_uri is followed only when registered for
 * the known client.
 */
import OidcClient from '#models/oidc_client'
import type { OidcAdapter } from '#services/oidc/adapter/adapter'
import { InvalidRequest } from '#services/oidc/protocol/errors'
import {
  decodeParams,
  firstDuplicate,
  singleValues,
  type RawParams,
} from '#services/oidc/protocol/parameters'
import { matchPostLogoutRedirectUri } from '#services/oidc/protocol/redirect_uri'
import keyStore from '#services/oidc/keys/key_store'

export const LOGOUT_PARAMS = [
  'id_token_hint',
  'logout_hint',
  'client_id',
  'post_logout_redirect_uri',
  'state',
  'ui_locales',
] as const

export type LogoutRequest = {
  client: OidcClient | null
  hintSub: string | null
  redirectUri: string | null
  state: string | null
  /** The parameters to carry through the ask page */
  params: Record<string, string>
}

/**
 * The query of a GET or the form body of a POST, read strictly: a repeated
 * parameter is refused (the 400 page) rather than guessed at, and an empty one
 * counts as absent.
 */
export function readLogoutParams(text: string): Record<string, string> {
  let raw: RawParams
  try {
    raw = decodeParams(text)
  } catch {
    throw new InvalidRequest('The request parameters are not valid URL encoding.').asPage()
  }
  const duplicate = firstDuplicate(raw, [...LOGOUT_PARAMS, 'action'])
  if (duplicate) throw new InvalidRequest(`Duplicate ${duplicate} parameter.`).asPage()
  return singleValues(raw)
}

async function verifiedHint(hint: string | undefined, adapter: OidcAdapter) {
  if (!hint) return null
  try {
    const { payload } = await keyStore.verify(hint, {
      issuer: adapter.getIssuer(),
      checkExpiry: false,
    })
    return payload
  } catch {
    return null
  }
}

export async function cleanLogoutRequest(
  input: Record<string, string>,
  adapter: OidcAdapter
): Promise<LogoutRequest> {
  let hint = await verifiedHint(input.id_token_hint, adapter)
  let audiences = hint ? (Array.isArray(hint.aud) ? hint.aud : hint.aud ? [hint.aud] : []) : []
  let clientId: string | null = input.client_id || null
  if (clientId && audiences.length && !audiences.includes(clientId)) {
    /* both dropped: the dropped hint must not name the client below either */
    hint = null
    audiences = []
    clientId = null
  }
  if (!clientId && audiences.length === 1) clientId = audiences[0]
  const client = clientId ? await OidcClient.findExact(clientId) : null
  if (clientId && !client && audiences.length) hint = null

  const redirectUri = input.post_logout_redirect_uri ?? null
  if (
    redirectUri &&
    (!URL.canParse(redirectUri) || !client || !matchPostLogoutRedirectUri(client, redirectUri))
  ) {
    throw new InvalidRequest(
      'The post_logout_redirect_uri is not registered for this client.'
    ).asPage()
  }
  const params: Record<string, string> = {}
  for (const name of LOGOUT_PARAMS) if (input[name]) params[name] = input[name]
  return {
    client,
    hintSub: hint && typeof hint.sub === 'string' ? hint.sub : null,
    redirectUri,
    state: input.state ?? null,
    params,
  }
}

/** Where to go after logout: the accepted URI with `state` set in its query, or the home page */
export function logoutDestination(request: LogoutRequest) {
  if (!request.redirectUri) return '/'
  const url = new URL(request.redirectUri)
  if (request.state) url.searchParams.set('state', request.state)
  return url.href
}
