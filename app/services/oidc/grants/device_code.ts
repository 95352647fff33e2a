/**
 * grant_type=urn:ietf:params:oauth:grant-type:device_code (RFC 8628 §3.4-3.5,
 * endpoints.md §4.4). Every poll is recorded; polling faster than the
 * interval gives slow_down and adds 5 s to it. An approved code is redeemed
 * once, atomically.
 */
import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import type OidcClient from '#models/oidc_client'
import OidcDeviceCode from '#models/oidc_device_code'
import User from '#models/user'
import { sqlTime } from '#models/columns'
import {
  AccessDenied,
  InvalidGrant,
  InvalidRequest,
  OAuthError,
} from '#services/oidc/protocol/errors'
import { affectedRows } from '#services/oidc/tokens/families'
import { prepareTokens, storeTokens } from '#services/oidc/tokens/issuer'
import { signIdToken } from '#services/oidc/tokens/id_token'
import { randomFamilyId } from '#services/oidc/protocol/random'
import { tokenResponse, type GrantHandler, type TokenResponse } from '#services/oidc/grants/grant'
import type { ApiRequest } from '#services/oidc/protocol/api_request'
import { DEVICE_CODE_GRANT } from '#services/oidc/protocol/vocabulary'

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

export const deviceCodeGrant: GrantHandler = {
  grantType: DEVICE_CODE_GRANT,

  checkParameters(params) {
    if (!params.device_code) throw new InvalidRequest('Missing device_code parameter.')
  },

  async handle({ adapter, params }: ApiRequest, client: OidcClient): Promise<TokenResponse> {
    const code = await OidcDeviceCode.findBy(
      'device_code_hash',
      adapter.hashToken(params.device_code)
    )
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
      sid: null,
    }
    /* signed before the transaction, which holds SQLite's only connection (see authorization_code.ts) */
    const tokens = active
      ? await prepareTokens(adapter, grant, client.grantTypes.includes('refresh_token') && {})
      : null
    const idToken =
      tokens && code.scopes.includes('openid')
        ? await signIdToken(adapter, {
            ...grant,
            user: user!,
            authTime: code.authTime ?? Math.floor(Date.now() / 1000),
            accessToken: tokens.accessToken.value,
          })
        : null

    const consumed = await db.transaction(async (trx) => {
      const updated = await trx
        .from('oidc_device_codes')
        .where('id', code.id)
        .where('status', 'approved')
        .update({ status: 'consumed' })
      if (affectedRows(updated) === 0) return false
      if (tokens) await storeTokens(tokens, trx)
      return true
    })
    if (!consumed) throw new InvalidGrant()
    /* compat: an approver who is gone or inactive is answered access_denied, and the code is spent */
    if (!tokens) throw new AccessDenied()
    return tokenResponse(tokens.accessToken, code.scopes, {
      refreshToken: tokens.refreshToken,
      idToken,
    })
  },
}
