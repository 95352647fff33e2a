/**
 * OpenID Connect Back-Channel Logout 1.0 (ours; allauth lacks it): when a
 * provider session ends, every client that received an ID token for that
 * session and registered a backchannel_logout_uri gets a signed logout token.
 * Sending happens after the response, with a 5 s timeout per attempt and at
 * most 2 retries (after 1 s and 5 s); failures are logged, never shown.
 */
import logger from '@adonisjs/core/services/logger'
import User from '#models/user'
import OidcClient from '#models/oidc_client'
import type { OidcAdapter } from '#services/oidc/adapter/adapter'
import keyStore from '#services/oidc/keys/key_store'
import { randomJti } from '#services/oidc/protocol/random'
import { forgetSession, sessionClients } from '#services/oidc/logout/session_client_store'

const BACKCHANNEL_EVENT = 'http://schemas.openid.net/event/backchannel-logout'
const LOGOUT_TOKEN_LIFETIME_SECONDS = 120
const ATTEMPT_TIMEOUT_MS = 5000
export const RETRY_DELAYS_MS = [1000, 5000]

export async function logoutToken(
  adapter: OidcAdapter,
  client: OidcClient,
  user: User,
  sid: string
) {
  const iat = Math.floor(Date.now() / 1000)
  return keyStore.sign(
    {
      iss: adapter.getIssuer(),
      aud: client.id,
      iat,
      exp: iat + LOGOUT_TOKEN_LIFETIME_SECONDS,
      jti: randomJti(),
      sub: adapter.getUserSub(client, user),
      sid,
      events: { [BACKCHANNEL_EVENT]: {} },
    },
    'logout+jwt'
  )
}

async function deliver(client: OidcClient, token: string) {
  for (let attempt = 0; attempt <= RETRY_DELAYS_MS.length; attempt++) {
    if (attempt > 0)
      await new Promise((resolve) => setTimeout(resolve, RETRY_DELAYS_MS[attempt - 1]))
    try {
      const response = await fetch(client.backchannelLogoutUri!, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ logout_token: token }),
        signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS),
        redirect: 'manual',
      })
      if (response.ok) return
      logger.warn({ client_id: client.id, status: response.status }, 'back-channel logout refused')
    } catch {
      logger.warn({ client_id: client.id, status: 'unreachable' }, 'back-channel logout failed')
    }
  }
}

/**
 * Notifies the session's clients. The tokens are built now (the caller's
 * request still knows the issuer); delivery runs on its own, and `delivered`
 * settles when every client has been tried.
 */
export async function startBackchannelLogout(
  adapter: OidcAdapter,
  sid: string
): Promise<{ delivered: Promise<void> }> {
  const rows = await sessionClients(sid)
  const clients = await OidcClient.query()
    .whereIn(
      'id',
      rows.map((row) => row.clientId)
    )
    .whereNotNull('backchannel_logout_uri')
  const deliveries: Promise<void>[] = []
  for (const client of clients) {
    const row = rows.find((entry) => entry.clientId === client.id)!
    const user = await User.find(row.userId)
    if (!user) continue
    deliveries.push(deliver(client, await logoutToken(adapter, client, user, sid)))
  }
  await forgetSession(sid)
  return { delivered: Promise.all(deliveries).then(() => undefined) }
}
