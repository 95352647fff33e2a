/**
 * grant_type=authorization_code (endpoints.md §4.1). The code is consumed
 * atomically (data.md §5): of two concurrent redemptions exactly one wins, and
 * any later one revokes every token issued from the code (RFC 9700 §4.2.4).
 */
import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import type OidcClient from '#models/oidc_client'
import OidcAuthorizationCode from '#models/oidc_authorization_code'
import User from '#models/user'
import { sqlTime } from '#models/columns'
import { InvalidGrant, InvalidRequest, OAuthError } from '#services/oidc/protocol/errors'
import { affectedRows, revokeFamily } from '#services/oidc/tokens/families'
import { checkCodeVerifier } from '#services/oidc/protocol/pkce'
import { prepareTokens, storeTokens } from '#services/oidc/tokens/issuer'
import { recordIdTokenSession, signIdToken } from '#services/oidc/tokens/id_token'
import { tokenResponse, type GrantHandler, type TokenResponse } from '#services/oidc/grants/grant'
import type { ApiRequest } from '#services/oidc/protocol/api_request'

/**
 * §4.1 steps 6-8. They run before the consuming transaction so that tokens are
 * signed outside it, but their failure is answered only after the code is
 * consumed: the code stays spent whatever failed.
 */
function redemptionFailure(
  code: OidcAuthorizationCode,
  user: User | null,
  params: Record<string, string>
): OAuthError | null {
  try {
    if (!user || !user.isActive) throw new InvalidGrant()
    if (!params.redirect_uri) throw new InvalidRequest('Missing redirect URI.')
    if (params.redirect_uri !== code.redirectUri)
      throw new InvalidRequest('Mismatching redirect URI.')
    checkCodeVerifier(code.codeChallenge, code.codeChallengeMethod, params.code_verifier)
    return null
  } catch (error) {
    if (error instanceof OAuthError) return error
    throw error
  }
}

export const authorizationCodeGrant: GrantHandler = {
  grantType: 'authorization_code',

  checkParameters(params) {
    if (!params.code) throw new InvalidRequest('Missing code parameter.')
  },

  async handle({ adapter, params }: ApiRequest, client: OidcClient): Promise<TokenResponse> {
    const code = await OidcAuthorizationCode.findBy('hash', adapter.hashToken(params.code))
    if (!code || code.clientId !== client.id) throw new InvalidGrant()
    if (code.consumedAt) {
      await revokeFamily(code.familyId)
      throw new InvalidGrant()
    }
    if (code.expiresAt <= DateTime.utc()) throw new InvalidGrant()

    const user = await User.find(code.userId)
    const failure = redemptionFailure(code, user, params)
    const grant = {
      client,
      user,
      scopes: code.scopes,
      familyId: code.familyId,
      email: code.email,
      authTime: code.authTime,
      sid: code.sid,
    }
    /* signed before the transaction: signing may read the database, whose only SQLite connection the transaction holds */
    const tokens = failure
      ? null
      : await prepareTokens(adapter, grant, client.grantTypes.includes('refresh_token') && {})
    const idToken =
      tokens && code.scopes.includes('openid')
        ? await signIdToken(adapter, {
            ...grant,
            user: user!,
            nonce: code.nonce,
            accessToken: tokens.accessToken.value,
            requestedClaims: code.claims,
          })
        : null

    const consumed = await db.transaction(async (trx) => {
      const updated = await trx
        .from('oidc_authorization_codes')
        .where('id', code.id)
        .whereNull('consumed_at')
        .update({ consumed_at: sqlTime() })
      if (affectedRows(updated) === 0) return false
      if (tokens) await storeTokens(tokens, trx)
      if (idToken) await recordIdTokenSession({ client, user: user!, sid: code.sid }, trx)
      return true
    })
    if (!consumed) {
      await revokeFamily(code.familyId)
      throw new InvalidGrant()
    }
    if (failure) throw failure
    return tokenResponse(tokens!.accessToken, code.scopes, {
      refreshToken: tokens!.refreshToken,
      idToken,
    })
  },
}
