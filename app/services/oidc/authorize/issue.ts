/**
 * Issuing an authorization response (docs/endpoints.md#authorization-responses) for every response
 * type: a code, an access token, an ID token, or a mix (hybrid), with state
 * and iss (RFC 9207). The rows are written before the response is returned.
 */
import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import type User from '#models/user'
import { storeAuthorizationCode } from '#services/oidc/authorize/code_store'
import oidcConfig from '#config/oidc'
import type { OidcAdapter } from '#services/oidc/adapter/adapter'
import type { AuthorizationRequest } from '#services/oidc/authorize/request'
import type { AuthorizationResponse } from '#services/oidc/authorize/response'
import { tokensIssued } from '#services/observability/metrics'
import { prepareTokens, storeTokens } from '#services/oidc/tokens/issuer'
import { recordIdTokenSession, signIdToken } from '#services/oidc/tokens/id_token'
import { randomFamilyId, randomValue } from '#services/oidc/protocol/random'
import { joinScopes } from '#services/oidc/protocol/scopes'
import type { AuthenticationMethod } from '#services/mfa/authentication_methods'

/** What the person granted, and the session they granted it in */
export type UserGrant = {
  user: User
  scopes: string[]
  email: string | null
  authTime: number
  /** How the session authenticated (RFC 8176) */
  amr: AuthenticationMethod[]
  sid: string
  answersPost: boolean
  /** The person's IP, for the audit event */
  ip: string
}

export async function issueAuthorizationResponse(
  adapter: OidcAdapter,
  request: AuthorizationRequest,
  grant: UserGrant
): Promise<AuthorizationResponse> {
  const words = request.responseType.split(' ')
  const tokenGrant = {
    client: request.client,
    user: grant.user,
    scopes: grant.scopes,
    familyId: randomFamilyId(),
    email: grant.email,
    authTime: grant.authTime,
    amr: grant.amr,
    sid: grant.sid,
  }
  const params: Record<string, string> = {}

  const code = words.includes('code') ? randomValue(32) : null
  if (code) params.code = code

  /* signing and the adapter run first; the rows are then written in one transaction, or not at all */
  const tokens = words.includes('token') ? await prepareTokens(adapter, tokenGrant) : null
  if (tokens) {
    Object.assign(params, {
      access_token: tokens.accessToken.value,
      token_type: 'Bearer',
      expires_in: String(tokens.accessToken.expiresIn),
      scope: joinScopes(grant.scopes),
    })
  }

  if (words.includes('id_token')) {
    params.id_token = await signIdToken(adapter, {
      client: request.client,
      user: grant.user,
      scopes: grant.scopes,
      authTime: grant.authTime,
      amr: grant.amr,
      email: grant.email,
      nonce: request.nonce,
      sid: grant.sid,
      accessToken: tokens?.accessToken.value,
      code,
      requestedClaims: request.claims,
    })
  }

  await db.transaction(async (trx) => {
    if (code) {
      await storeAuthorizationCode(
        {
          hash: adapter.hashToken(code),
          clientId: request.client.id,
          userId: grant.user.id,
          familyId: tokenGrant.familyId,
          redirectUri: request.redirectUri,
          scopes: grant.scopes,
          nonce: request.nonce,
          codeChallenge: request.codeChallenge,
          codeChallengeMethod: request.codeChallengeMethod,
          claims: request.claims,
          email: grant.email,
          authTime: grant.authTime,
          amr: grant.amr,
          sid: grant.sid,
          expiresAt: DateTime.utc().plus({ seconds: oidcConfig.authorizationCodeExpiresIn }),
        },
        trx
      )
    }
    if (tokens || params.id_token)
      await storeTokens(
        tokenGrant,
        tokens,
        { grantType: 'implicit', ip: grant.ip, idToken: !!params.id_token },
        trx
      )
    if (params.id_token) await recordIdTokenSession(tokenGrant, trx)
  })

  if (tokens || params.id_token) tokensIssued.inc({ grant_type: 'implicit' })
  if (request.state) params.state = request.state
  params.iss = adapter.getIssuer()
  const target = {
    redirectUri: request.redirectUri,
    responseMode: request.responseMode,
    answersPost: grant.answersPost,
  }
  return { target, params }
}
