/**
 * Issuing an authorization response (endpoints.md §3.4) for every response
 * type: a code, an access token, an ID token, or a mix (hybrid), then the
 * redirect in the response mode with state and iss (RFC 9207).
 */
import { DateTime } from 'luxon'
import type { HttpContext } from '@adonisjs/core/http'
import type User from '#models/user'
import OidcAuthorizationCode from '#models/oidc_authorization_code'
import oidcConfig from '#config/oidc'
import type { AuthorizationRequest } from '#services/oidc/authorize/request'
import { sendAuthorizationResponse } from '#services/oidc/authorization_response'
import { issueTokens } from '#services/oidc/token_issuer'
import { issueIdToken } from '#services/oidc/id_token'
import { randomFamilyId, randomValue } from '#services/oidc/random'
import { joinScopes } from '#services/oidc/scopes'

export type Grant = { user: User; scopes: string[]; email: string | null; authTime: number; sid: string; answersPost: boolean }

export async function issueAuthorizationResponse(ctx: HttpContext, request: AuthorizationRequest, grant: Grant) {
  const adapter = ctx.oidcAdapter
  const words = request.responseType.split(' ')
  const familyId = randomFamilyId()
  const params: Record<string, string> = {}

  let code: string | null = null
  if (words.includes('code')) {
    code = randomValue(32)
    await OidcAuthorizationCode.create({
      hash: adapter.hashToken(code),
      clientId: request.client.id,
      userId: grant.user.id,
      familyId,
      redirectUri: request.redirectUri,
      scopes: grant.scopes,
      nonce: request.nonce,
      codeChallenge: request.codeChallenge,
      codeChallengeMethod: request.codeChallengeMethod,
      claims: request.claims,
      email: grant.email,
      authTime: grant.authTime,
      sid: grant.sid,
      expiresAt: DateTime.utc().plus({ seconds: oidcConfig.authorizationCodeExpiresIn }),
      consumedAt: null,
    })
    params.code = code
  }

  let accessToken: string | null = null
  if (words.includes('token')) {
    const issued = await issueTokens(adapter, { client: request.client, user: grant.user, scopes: grant.scopes, familyId, email: grant.email, authTime: grant.authTime, sid: grant.sid })
    accessToken = issued.accessToken.value
    Object.assign(params, {
      access_token: accessToken,
      token_type: 'Bearer',
      expires_in: String(issued.accessToken.expiresIn),
      scope: joinScopes(grant.scopes),
    })
  }

  if (words.includes('id_token')) {
    params.id_token = await issueIdToken(adapter, {
      client: request.client,
      user: grant.user,
      scopes: grant.scopes,
      authTime: grant.authTime,
      email: grant.email,
      nonce: request.nonce,
      sid: grant.sid,
      accessToken,
      code,
      requestedClaims: request.claims,
    })
  }

  if (request.state) params.state = request.state
  params.iss = adapter.getIssuer()
  return sendAuthorizationResponse(ctx, { redirectUri: request.redirectUri, responseMode: request.responseMode, answersPost: grant.answersPost }, params)
}
