/**
 * Ending a user's sessions from elsewhere (user:sign-out, user:delete, the
 * console, a password reset or change, "sign out other sessions"), with the
 * back-channel logout their clients are owed.
 */
import type { OidcAdapter } from '#services/oidc/adapter/adapter'
import { endUserSessions } from '#services/accounts/user_sessions'
import { startBackchannelLogout } from '#services/oidc/logout/backchannel'
import { revokeUserTokens } from '#services/oidc/tokens/token_store'

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
