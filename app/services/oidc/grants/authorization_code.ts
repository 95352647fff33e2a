/**
 * grant_type=authorization_code (endpoints.md §4.1). The code is consumed
 * atomically (data.md §5): of two concurrent redemptions exactly one wins, and
 * any later one revokes every token issued from the code (RFC 9700 §4.2.4).
 */
import type { HttpContext } from '@adonisjs/core/http'
import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import type OidcClient from '#models/oidc_client'
import OidcAuthorizationCode from '#models/oidc_authorization_code'
import User from '#models/user'
import { sqlTime } from '#models/columns'
import { InvalidGrant, InvalidRequest, OAuthError } from '#services/oidc/errors'
import { affectedRows, revokeFamily } from '#services/oidc/families'
import { checkCodeVerifier } from '#services/oidc/pkce'
import { issueTokens } from '#services/oidc/token_issuer'
import { issueIdToken } from '#services/oidc/id_token'
import { joinScopes } from '#services/oidc/scopes'
import type { Grant, TokenResponse } from '#services/oidc/grants/grant'

/** Checks that run after consumption; a failure keeps the code consumed */
function checkRedemption(code: OidcAuthorizationCode, user: User | null, params: Record<string, string>) {
  if (!user || !user.isActive) throw new InvalidGrant()
  if (!params.redirect_uri) throw new InvalidRequest('Missing redirect URI.')
  if (params.redirect_uri !== code.redirectUri) throw new InvalidRequest('Mismatching redirect URI.')
  checkCodeVerifier(code.codeChallenge, code.codeChallengeMethod, params.code_verifier)
}

export const authorizationCodeGrant: Grant = {
  grantType: 'authorization_code',

  checkParameters(params) {
    if (!params.code) throw new InvalidRequest('Missing code parameter.')
  },

  async handle(ctx: HttpContext, client: OidcClient, params): Promise<TokenResponse> {
    const adapter = ctx.oidcAdapter
    const code = await OidcAuthorizationCode.findBy('hash', adapter.hashToken(params.code))
    if (!code || code.clientId !== client.id) throw new InvalidGrant()
    if (code.consumedAt) {
      await revokeFamily(code.familyId)
      throw new InvalidGrant()
    }
    if (code.expiresAt <= DateTime.utc()) throw new InvalidGrant()

    const outcome = await db.transaction(async (trx) => {
      const consumed = await trx.from('oidc_authorization_codes').where('id', code.id).whereNull('consumed_at').update({ consumed_at: sqlTime() })
      if (affectedRows(consumed) === 0) return { replayed: true as const }
      const user = await User.find(code.userId, { client: trx })
      try {
        checkRedemption(code, user, params)
      } catch (error) {
        if (error instanceof OAuthError) return { failure: error }
        throw error
      }
      const grant = { client, user: user!, scopes: code.scopes, familyId: code.familyId, email: code.email, authTime: code.authTime, sid: code.sid }
      const issued = await issueTokens(adapter, grant, { refresh: client.grantTypes.includes('refresh_token') && {}, trx })
      return { grant, issued }
    })
    if ('replayed' in outcome) {
      await revokeFamily(code.familyId)
      throw new InvalidGrant()
    }
    if ('failure' in outcome) throw outcome.failure

    const { grant, issued } = outcome
    const response: TokenResponse = {
      access_token: issued.accessToken.value,
      expires_in: issued.accessToken.expiresIn,
      token_type: 'Bearer',
      scope: joinScopes(grant.scopes),
    }
    if (issued.refreshToken) response.refresh_token = issued.refreshToken
    if (grant.scopes.includes('openid')) {
      response.id_token = await issueIdToken(adapter, {
        client,
        user: grant.user,
        scopes: grant.scopes,
        authTime: code.authTime,
        email: code.email,
        nonce: code.nonce,
        sid: code.sid,
        accessToken: issued.accessToken.value,
        requestedClaims: code.claims,
      })
    }
    return response
  },
}
