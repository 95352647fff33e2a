/**
 * grant_type=authorization_code (docs/endpoints.md#authorization_code-grant). The code is consumed
 * atomically (docs/data-model.md#authorization-codes-oidc_authorization_codes): of two concurrent redemptions exactly one wins, and
 * any later one revokes every token issued from the code (RFC 9700 §4.2.4).
 */
import { DateTime } from 'luxon'
import type OidcClient from '#models/oidc_client'
import type OidcAuthorizationCode from '#models/oidc_authorization_code'
import User from '#models/user'
import { InvalidGrant, InvalidRequest, OAuthError } from '#services/oidc/protocol/errors'
import { revokeFamily } from '#services/oidc/tokens/token_store'
import {
  consumeAuthorizationCode,
  findAuthorizationCode,
} from '#services/oidc/authorize/code_store'
import { redeemOnce } from '#services/oidc/grants/redeem_once'
import { recordEvent } from '#services/audit/record_event'
import { checkCodeVerifier } from '#services/oidc/protocol/pkce'
import { prepareTokens, storeTokens } from '#services/oidc/tokens/issuer'
import { recordIdTokenSession, signIdToken } from '#services/oidc/tokens/id_token'
import { tokenResponse, type GrantHandler, type TokenResponse } from '#services/oidc/grants/grant'
import type { ApiRequest } from '#services/oidc/clients/api_request'

/** docs/endpoints.md#authorization_code-grant; a failure is answered only after the code is spent, so it stays spent */
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

  async handle({ adapter, params, ip }: ApiRequest, client: OidcClient): Promise<TokenResponse> {
    const code = await findAuthorizationCode(adapter.hashToken(params.code))
    if (!code || code.clientId !== client.id) throw new InvalidGrant()
    /* RFC 9700 §4.2.4: a replayed code revokes what it issued */
    const replayed = async () => {
      await revokeFamily(code.familyId)
      await recordEvent('authorization_code.replayed', {
        userId: code.userId,
        clientId: client.id,
        ip,
        data: { family_id: code.familyId, family_revoked: true },
      })
      return new InvalidGrant()
    }
    if (code.consumedAt) throw await replayed()
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
      amr: code.amr,
      sid: code.sid,
    }
    const redeemed = await redeemOnce({
      async prepare() {
        if (failure) return null
        const refresh = client.grantTypes.includes('refresh_token') && {}
        const tokens = await prepareTokens(adapter, grant, refresh)
        const idToken = code.scopes.includes('openid')
          ? await signIdToken(adapter, {
              ...grant,
              user: user!,
              nonce: code.nonce,
              accessToken: tokens.accessToken.value,
              requestedClaims: code.claims,
            })
          : null
        return { tokens, idToken }
      },
      consume: (trx) => consumeAuthorizationCode(code.id, trx),
      async store(issued, trx) {
        if (!issued) return
        await storeTokens(
          grant,
          issued.tokens,
          { grantType: 'authorization_code', ip, idToken: !!issued.idToken },
          trx
        )
        if (issued.idToken) await recordIdTokenSession({ client, user: user!, sid: code.sid }, trx)
      },
    })
    if (!redeemed) throw await replayed()
    if (failure) throw failure
    const { tokens, idToken } = redeemed.prepared!
    return tokenResponse(tokens.accessToken, code.scopes, {
      refreshToken: tokens.refreshToken,
      idToken,
    })
  },
}
