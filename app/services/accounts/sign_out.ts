import type { HttpContext } from '@adonisjs/core/http'
import type { OidcAdapter } from '#services/oidc/adapter/adapter'
import { currentProviderSession, endProviderSession } from '#services/accounts/provider_session'
import { endUserSessions } from '#services/accounts/user_sessions'
import { startBackchannelLogout } from '#services/oidc/logout/backchannel'
import { revokeUserTokens } from '#services/oidc/tokens/token_store'
import { recordEvent } from '#services/audit/record_event'
import { dropSignInStage } from '#services/mfa/sign_in_stage'
import { clientIp } from '#http/client_ip'

/** Where a sign-out was asked for: the account's sign-out form, or a client (RP-initiated logout) */
export type SignOutVia = { via: 'logout_page' } | { via: 'rp_logout'; clientId: string | null }

/**
 * Ends the provider session and queues back-channel logout for the clients
 * it signed into; the notices are sent after the response and never delay it.
 */
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

export type SignedOutEverywhere = {
  /** How many provider sessions ended */
  sessions: number
  /** How many live tokens were revoked */
  tokens: number
}

/**
 * Signs the user out everywhere (user:sign-out, user:delete): every provider
 * session ends server-side, so no copy of its cookie works again, every token
 * the user holds at any client is revoked, and back-channel logout is queued
 * for the clients of each session, as at a sign-out.
 */
export async function signOutEverywhere(
  adapter: OidcAdapter,
  userId: number
): Promise<SignedOutEverywhere> {
  const sids = await endUserSessions(userId)
  const tokens = await revokeUserTokens(userId)
  await announceEndedSessions(adapter, sids)
  return { sessions: sids.length, tokens }
}

/**
 * Back-channel logout for sessions already ended on the server (by a
 * password reset or change, "sign out other sessions", or signing out
 * everywhere), queued as sign-out queues it.
 */
export async function announceEndedSessions(adapter: OidcAdapter, sids: string[]) {
  for (const sid of sids) await startBackchannelLogout(adapter, sid)
}
