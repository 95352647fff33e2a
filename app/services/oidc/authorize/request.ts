/**
 * Validation of an authorization request (docs/endpoints.md#authorization-request-checks), in the
 * contract's order. Stage A errors can never be redirected (unknown client,
 * unmatched redirect URI): they become the 400 error page. Stage C errors go
 * back to the matched redirect URI in the response mode, with state and iss.
 */
import type OidcClient from '#models/oidc_client'
import OidcClientModel from '#models/oidc_client'
import oidcConfig from '#config/oidc'
import {
  InvalidRequest,
  InvalidScope,
  LoginRequired,
  OAuthError,
  UnauthorizedClient,
  UnsupportedResponseType,
  type ResponseMode,
} from '#services/oidc/protocol/errors'
import { firstDuplicate, singleValues, type RawParams } from '#services/oidc/protocol/parameters'
import { matchRedirectUri } from '#services/oidc/protocol/redirect_uri'
import { checkCodeChallenge, type CodeChallenge } from '#services/oidc/protocol/pkce'
import { resolveScopes } from '#services/oidc/protocol/scopes'
import { RESPONSE_MODES, RESPONSE_TYPES } from '#services/oidc/protocol/vocabulary'
import keyStore from '#services/oidc/keys/key_store'
import type { OidcAdapter } from '#services/oidc/adapter/adapter'
import type User from '#models/user'
import { isStorableText } from '#database/storable_text'

/** Parameters whose repetition is refused (docs/endpoints.md#authorization-request-checks) */
const FATAL_SINGLE = ['client_id', 'redirect_uri', 'response_type', 'scope', 'state']
const OAUTH_PARAMS = [
  'nonce',
  'response_mode',
  'prompt',
  'max_age',
  'code_challenge',
  'code_challenge_method',
  'id_token_hint',
  'claims',
  'login_hint',
  'ui_locales',
  'display',
  'acr_values',
  'claims_locales',
]

/** What stage A establishes: the client and where errors may be sent */
export type AuthorizationTarget = {
  client: OidcClient
  redirectUri: string
  params: Record<string, string>
}

export type AuthorizationRequest = AuthorizationTarget & {
  responseType: string
  responseMode: ResponseMode
  scopes: string[]
  state: string | null
  nonce: string | null
  prompt: Set<string>
  maxAge: number | null
  codeChallenge: string | null
  codeChallengeMethod: CodeChallenge['codeChallengeMethod']
  claims: Record<string, unknown> | null
}

/** docs/endpoints.md#authorization-request-checks: repeated core parameters, client, redirect URI. Errors are pages. */
export async function checkFatal(raw: RawParams): Promise<AuthorizationTarget> {
  const duplicate = firstDuplicate(raw, FATAL_SINGLE)
  if (duplicate) throw new InvalidRequest(`Duplicate ${duplicate} parameter.`).asPage()
  const params = singleValues(raw)
  if (!params.client_id) throw new InvalidRequest('Missing client_id parameter.').asPage()
  const client = await OidcClientModel.findExact(params.client_id)
  if (!client) throw new InvalidRequest('Invalid client_id parameter value.').asPage()
  const redirectUri = params.redirect_uri
  if (!redirectUri) throw new InvalidRequest('Missing redirect URI.').asPage()
  if (!URL.canParse(redirectUri)) throw new InvalidRequest('Invalid redirect URI.').asPage()
  if (!matchRedirectUri(client, redirectUri))
    throw new InvalidRequest('Mismatching redirect URI.').asPage()
  return { client, redirectUri, params }
}

/** Response type words in any order (RFC 6749 §3.1.1), normalised to sorted words */
export function normaliseResponseType(value: string | undefined) {
  return value === undefined ? undefined : value.split(' ').filter(Boolean).sort().join(' ')
}

export function parsePrompt(value: string | undefined) {
  return new Set((value ?? '').split(' ').filter(Boolean))
}

/** max_age as a non-negative integer, or undefined when absent, or NaN when malformed */
export function parseMaxAge(value: string | undefined) {
  if (value === undefined) return undefined
  return /^\d{1,10}$/.test(value) ? Number(value) : Number.NaN
}

function defaultResponseMode(responseType: string | undefined): ResponseMode {
  return responseType === undefined ||
    responseType === 'code' ||
    !RESPONSE_TYPES.includes(responseType)
    ? 'query'
    : 'fragment'
}

/**
 * docs/endpoints.md#authorization-request-checks (steps 6-15): everything that can be sent back to the client. The
 * session user is needed for the id_token_hint and claims `sub` checks.
 */
export async function checkRedirectable(
  raw: RawParams,
  target: AuthorizationTarget,
  adapter: OidcAdapter,
  sessionUser: User | null,
  answersPost: boolean
): Promise<AuthorizationRequest> {
  const { client, params } = target
  const responseType = normaliseResponseType(params.response_type)
  const requestedMode = params.response_mode as ResponseMode | undefined
  const responseMode =
    requestedMode && RESPONSE_MODES.includes(requestedMode)
      ? requestedMode
      : defaultResponseMode(responseType)
  const state = params.state ?? null
  const fail = (error: OAuthError) =>
    error.redirectTo({ redirectUri: target.redirectUri, responseMode, state, answersPost })

  // 6. response_type
  if (responseType === undefined) throw fail(new InvalidRequest('Missing response_type parameter.'))
  if (!RESPONSE_TYPES.includes(responseType)) throw fail(new UnsupportedResponseType())
  if (!client.responseTypes.includes(responseType)) throw fail(new UnauthorizedClient())
  // 7. response_mode: tokens never travel in a query string
  const returnsTokens = responseType !== 'code'
  if (returnsTokens && responseMode === 'query')
    throw fail(new InvalidRequest('Response mode query is not allowed for this response type.'))
  // 8. repeated parameters, request objects
  const duplicate = firstDuplicate(raw, OAUTH_PARAMS)
  if (duplicate) throw fail(new InvalidRequest(`Duplicate ${duplicate} parameter.`))
  if (params.request) throw fail(new OAuthError('request_not_supported'))
  if (params.request_uri) throw fail(new OAuthError('request_uri_not_supported'))
  // 9. scope
  let scopes: string[]
  try {
    scopes = resolveScopes(client, params.scope)
  } catch (error) {
    throw fail(error as OAuthError)
  }
  if (!scopes.length) throw fail(new InvalidScope())
  const wantsIdToken = responseType.split(' ').includes('id_token')
  if (wantsIdToken && !scopes.includes('openid'))
    throw fail(new InvalidRequest('The openid scope is required for an id_token.'))
  // 10. PKCE (RFC 9700 §2.1.1)
  let pkce: CodeChallenge = { codeChallenge: null, codeChallengeMethod: null }
  if (responseType.split(' ').includes('code')) {
    try {
      pkce = checkCodeChallenge(client, params, oidcConfig.pkceAllowPlain)
    } catch (error) {
      throw fail(error as OAuthError)
    }
  }
  // 11. nonce
  const nonce = params.nonce ?? null
  if (wantsIdToken && !nonce)
    throw fail(new InvalidRequest('Request is missing mandatory nonce parameter.'))
  /* the code row keeps it, and PostgreSQL could not: refused alike on every database */
  if (nonce && !isStorableText(nonce)) throw fail(new InvalidRequest('Invalid nonce parameter.'))
  // 12. prompt
  const prompt = parsePrompt(params.prompt)
  if (prompt.has('none') && prompt.size > 1)
    throw fail(new InvalidRequest('Prompt none is mutually exclusive with other values.'))
  // 13. max_age
  const maxAge = parseMaxAge(params.max_age)
  if (Number.isNaN(maxAge)) throw fail(new InvalidRequest('Invalid max_age parameter.'))
  // 14. claims
  let claims: Record<string, unknown> | null = null
  if (params.claims !== undefined) {
    try {
      claims = JSON.parse(params.claims)
    } catch {
      claims = null
    }
    if (!claims || typeof claims !== 'object' || Array.isArray(claims))
      throw fail(new InvalidRequest('Invalid claims parameter.'))
  }
  // 15. id_token_hint and requested sub values must name the session user
  const sessionSub = sessionUser ? adapter.getUserSub(client, sessionUser) : null
  if (params.id_token_hint) {
    const hintSub = await verifiedHintSubject(params.id_token_hint, adapter, client.id)
    if (hintSub === null) throw fail(new LoginRequired())
    if (hintSub !== sessionSub)
      throw fail(new LoginRequired('Session user does not match client supplied user.'))
  }
  for (const member of ['id_token', 'userinfo']) {
    const sub = (claims?.[member] as { sub?: { value?: unknown } } | undefined)?.sub?.value
    if (sub !== undefined && sub !== sessionSub)
      throw fail(new LoginRequired('Session user does not match client supplied user.'))
  }

  return {
    ...target,
    responseType,
    responseMode,
    scopes,
    state,
    nonce,
    prompt,
    maxAge: maxAge ?? null,
    ...pkce,
    claims,
  }
}

/** The `sub` of an id_token_hint we signed for this client; expiry is not checked (ours) */
async function verifiedHintSubject(
  hint: string,
  adapter: OidcAdapter,
  clientId: string
): Promise<string | null> {
  try {
    const { payload } = await keyStore.verify(hint, {
      issuer: adapter.getIssuer(),
      checkExpiry: false,
    })
    const audience = Array.isArray(payload.aud) ? payload.aud : [payload.aud]
    return audience.includes(clientId) && typeof payload.sub === 'string' ? payload.sub : null
  } catch {
    return null
  }
}
