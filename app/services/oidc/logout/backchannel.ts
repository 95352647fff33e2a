/**
 * OpenID Connect Back-Channel Logout 1.0 (ours; allauth lacks it): when a
 * provider session ends, every client that received an ID token for that
 * session and registered a backchannel_logout_uri gets a signed logout token.
 * The notices are outbox rows (app/services/outbox/), written in the
 * transaction that forgets the session's clients, so none is lost with the
 * process that ended the session; every app process sends them after the
 * response, with a 5 s timeout per attempt and at most 2 retries (after 1 s
 * and 5 s). Failures are logged, never shown.
 */
import db from '@adonisjs/lucid/services/db'
import User from '#models/user'
import OidcClient from '#models/oidc_client'
import type { OidcAdapter } from '#services/oidc/adapter/adapter'
import keyStore from '#services/oidc/keys/key_store'
import { randomJti } from '#services/oidc/protocol/random'
import { forgetSession, sessionClients } from '#services/oidc/logout/session_client_store'
import { OutboxTable, type OutboxRow } from '#services/outbox/outbox_table'
import { OutboxDelivery } from '#services/outbox/outbox_delivery'

const BACKCHANNEL_EVENT = 'http://schemas.openid.net/event/backchannel-logout'
const LOGOUT_TOKEN_LIFETIME_SECONDS = 120
const ATTEMPT_TIMEOUT_MS = 5000
const RETRY_DELAYS_SECONDS = [1, 5]

/* a claim outlasts one attempt's timeout */
export const backchannelOutbox = new OutboxTable('oidc_backchannel_outbox', 15)

type LogoutNotice = { clientId: string; iss: string; sub: string; sid: string }
type QueuedNoticeRow = OutboxRow & {
  client_id: string
  backchannel_logout_uri: string
  iss: string
  sub: string
  sid: string
}

export async function logoutToken({ clientId, iss, sub, sid }: LogoutNotice) {
  const iat = Math.floor(Date.now() / 1000)
  return keyStore.sign(
    {
      iss,
      aud: clientId,
      iat,
      exp: iat + LOGOUT_TOKEN_LIFETIME_SECONDS,
      jti: randomJti(),
      sub,
      sid,
      events: { [BACKCHANNEL_EVENT]: {} },
    },
    'logout+jwt'
  )
}

async function deliver(row: QueuedNoticeRow) {
  const token = await logoutToken({
    clientId: row.client_id,
    iss: row.iss,
    sub: row.sub,
    sid: row.sid,
  })
  let response: Response
  try {
    response = await fetch(row.backchannel_logout_uri, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ logout_token: token }),
      signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS),
      redirect: 'manual',
    })
  } catch {
    throw new Error(`client ${row.client_id}: back-channel logout endpoint unreachable`)
  }
  if (!response.ok)
    throw new Error(`client ${row.client_id}: back-channel logout refused (${response.status})`)
}

export const backchannelDelivery = new OutboxDelivery<QueuedNoticeRow>(backchannelOutbox, {
  name: 'back-channel logout',
  send: deliver,
  maxAttempts: RETRY_DELAYS_SECONDS.length + 1,
  retryDelaySeconds: (attempts) => RETRY_DELAYS_SECONDS[attempts - 1],
})

/**
 * Queues a logout notice for each client the session signed into and
 * forgets the session's clients, in one transaction. The issuer and `sub`
 * are taken now, while the caller's request still knows them.
 */
export async function startBackchannelLogout(adapter: OidcAdapter, sid: string) {
  const rows = await sessionClients(sid)
  if (!rows.length) return
  const clients = await OidcClient.query()
    .whereIn(
      'id',
      rows.map((row) => row.clientId)
    )
    .whereNotNull('backchannel_logout_uri')
  const notices: Record<string, unknown>[] = []
  for (const client of clients) {
    const row = rows.find((entry) => entry.clientId === client.id)!
    const user = await User.find(row.userId)
    if (!user) continue
    notices.push({
      client_id: client.id,
      backchannel_logout_uri: client.backchannelLogoutUri,
      iss: adapter.getIssuer(),
      sub: adapter.getUserSub(client, user),
      sid,
    })
  }
  await db.transaction(async (trx) => {
    await backchannelOutbox.queue(notices, trx)
    await forgetSession(sid, trx)
  })
}

/**
 * For admin commands, whose process runs no delivery loop: one attempt at
 * every due notice now, waited for; what fails stays queued, and the app
 * processes retry it.
 */
export async function sendDueNoticesNow() {
  await backchannelDelivery.deliverDue()
  await backchannelDelivery.settle()
}
