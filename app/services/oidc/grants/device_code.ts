/**
 * grant_type=urn:ietf:params:oauth:grant-type:device_code (RFC 8628 §3.4-3.5,
 * docs/endpoints.md#device-code-grant). Every poll is recorded; polling faster than the
 * interval gives slow_down and adds 5 s to it. An approved code is redeemed
 * once, atomically.
 */
import { DateTime } from 'luxon'
import type OidcClient from '#models/oidc_client'
import User from '#models/user'
import {
  AccessDenied,
  InvalidGrant,
  InvalidRequest,
  OAuthError,
} from '#services/oidc/protocol/errors'
import {
  consumeDeviceCode,
  findDeviceCode,
  recordPoll,
} from '#services/oidc/device/device_code_store'
import { redeemOnce } from '#services/oidc/grants/redeem_once'
import { prepareTokens, storeTokens } from '#services/oidc/tokens/issuer'
import { signIdToken } from '#services/oidc/tokens/id_token'
import { randomFamilyId } from '#services/oidc/protocol/random'
import { tokenResponse, type GrantHandler, type TokenResponse } from '#services/oidc/grants/grant'
import type { ApiRequest } from '#services/oidc/clients/api_request'
import { DEVICE_CODE_GRANT } from '#services/oidc/protocol/vocabulary'

export const deviceCodeGrant: GrantHandler = {
  grantType: DEVICE_CODE_GRANT,

  checkParameters(params) {
    if (!params.device_code) throw new InvalidRequest('Missing device_code parameter.')
  },

  async handle({ adapter, params, ip }: ApiRequest, client: OidcClient): Promise<TokenResponse> {
    const code = await findDeviceCode(adapter.hashToken(params.device_code))
    if (!code || code.clientId !== client.id) throw new InvalidGrant()
    if (code.expiresAt <= DateTime.utc()) throw new OAuthError('expired_token')
    if (await recordPoll(code)) throw new OAuthError('slow_down')
    if (code.status === 'pending') throw new OAuthError('authorization_pending')
    if (code.status === 'denied') throw new AccessDenied()
    if (code.status !== 'approved') throw new InvalidGrant()

    const user = code.userId ? await User.find(code.userId) : null
    const active = !!user?.isActive
    const grant = {
      client,
      user,
      scopes: code.scopes,
      familyId: randomFamilyId(),
      email: null,
      authTime: code.authTime,
      amr: code.amr,
      sid: null,
      fromDevice: true,
    }
    const redeemed = await redeemOnce({
      async prepare() {
        if (!active) return null
        const refresh = client.grantTypes.includes('refresh_token') && {}
        const tokens = await prepareTokens(adapter, grant, refresh)
        const idToken = code.scopes.includes('openid')
          ? await signIdToken(adapter, {
              ...grant,
              user: user!,
              authTime: code.authTime ?? Math.floor(Date.now() / 1000),
              accessToken: tokens.accessToken.value,
            })
          : null
        return { tokens, idToken }
      },
      consume: (trx) => consumeDeviceCode(code.id, trx),
      async store(issued, trx) {
        if (!issued) return
        await storeTokens(
          grant,
          issued.tokens,
          { grantType: DEVICE_CODE_GRANT, ip, idToken: !!issued.idToken },
          trx
        )
      },
    })
    if (!redeemed) throw new InvalidGrant()
    /* compat: an approver who is gone or inactive is answered access_denied, and the code is spent */
    if (!redeemed.prepared) throw new AccessDenied()
    const { tokens, idToken } = redeemed.prepared
    return tokenResponse(tokens.accessToken, code.scopes, {
      refreshToken: tokens.refreshToken,
      idToken,
    })
  },
}
