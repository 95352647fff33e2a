import type { OidcAdapter } from '#services/oidc/adapter/adapter'
import { endUserSessions } from '#services/accounts/user_sessions'
import { revokeUserTokens } from '#services/oidc/tokens/token_store'
import { startBackchannelLogout } from '#services/oidc/logout/backchannel'

/**
 * Ends every session of the user and revokes every token they hold, at every
 * client; the clients the sessions signed into get back-channel logout
 * notices (queued, sent by the outbox). Returns how many sessions ended.
 */
export async function signOutEverywhere(adapter: OidcAdapter, userId: number) {
  const sids = await endUserSessions(userId)
  await revokeUserTokens(userId)
  for (const sid of sids) await startBackchannelLogout(adapter, sid)
  return { sessions: sids.length }
}
