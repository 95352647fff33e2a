/**
 * grant_type=urn:ietf:params:oauth:grant-type:device_code (RFC 8628 §3.4-3.5,
 * endpoints.md §4.4). Every poll is recorded; polling faster than the
 * interval gives slow_down and adds 5 s to it. An approved code is redeemed
 * once, atomically.
 */
import type { HttpContext } from '@adonisjs/core/http'
import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import type OidcClient from '#models/oidc_client'
import OidcDeviceCode from '#models/oidc_device_code'
import User from '#models/user'
import { sqlTime } from '#models/columns'
import { AccessDenied, InvalidGrant, InvalidRequest, OAuthError } from '#services/oidc/errors'
import { affectedRows } from '#services/oidc/families'
import { issueTokens } from '#services/oidc/token_issuer'
import { issueIdToken } from '#services/oidc/id_token'
import { joinScopes } from '#services/oidc/scopes'
import { randomFamilyId } from '#services/oidc/random'
import type { Grant, TokenResponse } from '#services/oidc/grants/grant'

export const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code'
const SLOW_DOWN_STEP_SECONDS = 5

/** Records the poll; true when it came sooner than the code's interval allows */
async function recordPoll(code: OidcDeviceCode): Promise<boolean> {
  const now = DateTime.utc()
  const tooSoon = !!code.lastPolledAt && now < code.lastPolledAt.plus({ seconds: code.interval })
  const update: Record<string, unknown> = { last_polled_at: sqlTime(now) }
  if (tooSoon) update.interval = db.raw('?? + ?', ['interval', SLOW_DOWN_STEP_SECONDS])
  await db.from('oidc_device_codes').where('id', code.id).update(update)
  return tooSoon
}

export const deviceCodeGrant: Grant = {
  grantType: DEVICE_CODE_GRANT,

  checkParameters(params) {
    if (!params.device_code) throw new InvalidRequest('Missing device_code parameter.')
  },

  async handle(ctx: HttpContext, client: OidcClient, params): Promise<TokenResponse> {
    const adapter = ctx.oidcAdapter
    const code = await OidcDeviceCode.findBy('device_code_hash', adapter.hashToken(params.device_code))
    if (!code || code.clientId !== client.id) throw new InvalidGrant()
    if (code.expiresAt <= DateTime.utc()) throw new OAuthError('expired_token')
    if (await recordPoll(code)) throw new OAuthError('slow_down')
    if (code.status === 'pending') throw new OAuthError('authorization_pending')
    if (code.status === 'denied') throw new AccessDenied()
    if (code.status !== 'approved') throw new InvalidGrant()

    const user = code.userId ? await User.find(code.userId) : null
    const familyId = randomFamilyId()
    const issued = await db.transaction(async (trx) => {
      const consumed = await trx.from('oidc_device_codes').where('id', code.id).where('status', 'approved').update({ status: 'consumed' })
      if (affectedRows(consumed) === 0) return null
      if (!user?.isActive) return 'inactive' as const
      const grant = { client, user, scopes: code.scopes, familyId, email: null, authTime: code.authTime, sid: null }
      return issueTokens(adapter, grant, { trx, refresh: client.grantTypes.includes('refresh_token') && {} })
    })
    if (issued === null) throw new InvalidGrant()
    if (issued === 'inactive') throw new AccessDenied()

    const response: TokenResponse = {
      access_token: issued.accessToken.value,
      expires_in: issued.accessToken.expiresIn,
      token_type: 'Bearer',
      scope: joinScopes(code.scopes),
    }
    if (issued.refreshToken) response.refresh_token = issued.refreshToken
    if (code.scopes.includes('openid')) {
      response.id_token = await issueIdToken(adapter, {
        client,
        user: user!,
        scopes: code.scopes,
        authTime: code.authTime ?? Math.floor(Date.now() / 1000),
        email: null,
        accessToken: issued.accessToken.value,
      })
    }
    return response
  },
}
