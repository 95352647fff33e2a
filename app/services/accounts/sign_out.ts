import type { HttpContext } from '@adonisjs/core/http'
import { currentProviderSession, endProviderSession } from '#services/accounts/provider_session'
import { startBackchannelLogout } from '#services/oidc/logout/backchannel'
import { recordEvent } from '#services/audit/record_event'
import { clientIp } from '#http/client_ip'

/** Where a sign-out was asked for: the account's sign-out form, or a client (RP-initiated logout) */
export type SignOutVia = { via: 'logout_page' } | { via: 'rp_logout'; clientId: string | null }

/**
 * Ends the provider session and queues back-channel logout for the clients
 * it signed into; the notices are sent after the response and never delay it.
 */
export async function signOut(ctx: HttpContext, how: SignOutVia) {
  const session = await currentProviderSession(ctx)
  const sid = await endProviderSession(ctx)
  if (!sid) return
  await recordEvent(
    'sign_out',
    {
      userId: session?.user.id ?? null,
      clientId: how.via === 'rp_logout' ? how.clientId : null,
      ip: clientIp(ctx.request),
      data: { via: how.via },
    },
    { logger: ctx.logger }
  )
  await startBackchannelLogout(ctx.oidcAdapter, sid)
}
