/**
 * Signing out of this browser: the provider session ends, the event is
 * recorded, and back-channel logout is queued for the clients it signed into;
 * the notices are sent after the response and never delay it.
 */
import type { HttpContext } from '@adonisjs/core/http'
import { currentProviderSession, endProviderSession } from '#http/provider_session'
import { announceEndedSessions } from '#services/accounts/sign_out'
import { recordEvent } from '#services/audit/record_event'
import { dropSignInStage } from '#services/mfa/sign_in_stage'
import { clientIp } from '#http/client_ip'

/** Where a sign-out was asked for: the account's sign-out form, or a client (RP-initiated logout) */
export type SignOutVia = { via: 'logout_page' } | { via: 'rp_logout'; clientId: string | null }

export async function signOut(ctx: HttpContext, how: SignOutVia) {
  /* the cancel button of the second-factor page signs out too: the waiting sign-in goes */
  await dropSignInStage(ctx.session)
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
  await announceEndedSessions(ctx.oidcAdapter, [sid])
}
