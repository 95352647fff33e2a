import type { HttpContext } from '@adonisjs/core/http'
import { endProviderSession } from '#services/accounts/provider_session'
import { startBackchannelLogout } from '#services/oidc/logout/backchannel'

/**
 * Ends the provider session and queues back-channel logout for the clients
 * it signed into; the notices are sent after the response and never delay it.
 */
export async function signOut(ctx: HttpContext) {
  const sid = await endProviderSession(ctx)
  if (sid) await announceEndedSessions(ctx, [sid])
}

/**
 * Back-channel logout for sessions already ended on the server (by a
 * password reset or change, or "sign out other sessions"), queued as
 * sign-out queues it.
 */
export async function announceEndedSessions(ctx: HttpContext, sids: string[]) {
  for (const sid of sids) await startBackchannelLogout(ctx.oidcAdapter, sid)
}
