/**
 * grant_type=refresh_token (docs/endpoints.md#refresh_token-grant) with rotation and reuse
 * detection (RFC 9700 §4.14.2): a rotated-out refresh token presented again
 * after the grace period revokes its whole family. Rotation is one conditional
 * update in the same transaction as the new tokens, so of two concurrent
 * refreshes with one token, one rotates and the other counts as a replay.
 */
import { DateTime } from 'luxon'
import type OidcClient from '#models/oidc_client'
import oidcConfig from '#config/oidc'
import { InvalidGrant, InvalidRequest, InvalidScope } from '#services/oidc/protocol/errors'
import {
  findToken,
  markRotated,
  revokeFamily,
  type ResolvedToken,
} from '#services/oidc/tokens/token_store'
import { redeemOnce } from '#services/oidc/grants/redeem_once'
import { recordEvent } from '#services/audit/record_event'
import { prepareTokens, storeTokens } from '#services/oidc/tokens/issuer'
import { recordIdTokenSession, signIdToken } from '#services/oidc/tokens/id_token'
import { splitScope } from '#services/oidc/protocol/scopes'
import { tokenResponse, type GrantHandler, type TokenResponse } from '#services/oidc/grants/grant'
import type { ApiRequest } from '#services/oidc/clients/api_request'

function withinGracePeriod(rotatedAt: DateTime) {
  return DateTime.utc() < rotatedAt.plus({ seconds: oidcConfig.refreshTokenGracePeriod })
}

/** docs/endpoints.md#refresh_token-grant: the refresh token must be this client's, live, and its user active */
function checkUsable(
  resolved: ResolvedToken | null,
  client: OidcClient
): asserts resolved is ResolvedToken {
  if (!resolved || resolved.token.clientId !== client.id || resolved.token.revokedAt)
    throw new InvalidGrant()
  if (resolved.token.expiresAt && resolved.token.expiresAt <= DateTime.utc())
    throw new InvalidGrant()
  if (!resolved.user?.isActive) throw new InvalidGrant()
}

/** docs/endpoints.md#refresh_token-grant: `scope` narrows only the new access token */
function narrowedScopes(granted: string[], scope: string | undefined) {
  if (scope === undefined) return granted
  const requested = splitScope(scope)
  if (requested.some((entry) => !granted.includes(entry))) throw new InvalidScope()
  return requested
}

export const refreshTokenGrant: GrantHandler = {
  grantType: 'refresh_token',

  checkParameters(params) {
    if (!params.refresh_token) throw new InvalidRequest('Missing refresh token parameter.')
  },

  async handle({ adapter, params, ip }: ApiRequest, client: OidcClient): Promise<TokenResponse> {
    const resolved = await findToken('rt', adapter.hashToken(params.refresh_token))
    checkUsable(resolved, client)
    const { token, user } = resolved
    const replay = async () => {
      await revokeFamily(token.familyId)
      await recordEvent('refresh_token.reused', {
        userId: token.userId,
        clientId: client.id,
        ip,
        data: { family_id: token.familyId, family_revoked: true },
      })
      return new InvalidGrant()
    }
    if (token.rotatedAt && !withinGracePeriod(token.rotatedAt)) throw await replay()
    const scopes = narrowedScopes(token.scopes, params.scope)
    const rotate = oidcConfig.rotateRefreshToken || client.isPublic

    const grant = {
      client,
      user: user!,
      scopes,
      familyId: token.familyId,
      email: token.data?.email ?? null,
      authTime: token.authTime,
      amr: token.amr,
      sid: token.sid,
      fromDevice: token.fromDevice,
    }
    /* the new refresh token keeps the original scopes and the family's absolute expiry */
    const refresh = rotate && {
      parentId: token.id,
      expiresAt: token.expiresAt,
      scopes: token.scopes,
    }
    const redeemed = await redeemOnce({
      async prepare() {
        const tokens = await prepareTokens(adapter, grant, refresh)
        const idToken = scopes.includes('openid')
          ? await signIdToken(adapter, {
              client,
              user: user!,
              scopes,
              authTime: token.authTime ?? Math.floor(token.createdAt.toSeconds()),
              amr: token.amr,
              email: grant.email,
              sid: token.sid,
              accessToken: tokens.accessToken.value,
            })
          : null
        return { tokens, idToken }
      },
      /* within the grace period a rotated token may refresh again; otherwise only one rotation wins */
      async consume(trx) {
        if (!rotate || token.rotatedAt) return true
        return (await markRotated(token.id, trx)) || oidcConfig.refreshTokenGracePeriod > 0
      },
      async store({ tokens, idToken }, trx) {
        await storeTokens(
          grant,
          tokens,
          { grantType: 'refresh_token', ip, idToken: !!idToken },
          trx
        )
        if (idToken) await recordIdTokenSession(grant, trx)
      },
    })
    if (!redeemed) throw await replay()
    const { tokens, idToken } = redeemed.prepared

    /* without rotation the presented refresh token stays the client's */
    return tokenResponse(tokens.accessToken, scopes, {
      refreshToken: tokens.refreshToken ?? params.refresh_token,
      idToken,
    })
  },
}
