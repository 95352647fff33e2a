import type { HttpContext } from '@adonisjs/core/http'
import { endProviderSession } from '#services/accounts/provider_session'
import { startBackchannelLogout } from '#services/oidc/logout/backchannel'

/**
 * Ends the provider session and queues back-channel logout for the clients
 * it signed into; the notices are sent after the response and never delay it.
 */
export async function signOut(ctx: HttpContext) {
  const sid = await endProviderSession(ctx)
  if (sid) await startBackchannelLogout(ctx.oidcAdapter, sid)
}
