import type { OidcAdapter } from '#services/oidc/adapter/adapter'
import { endUserSessions } from '#services/accounts/user_sessions'
import { revokeUserTokens } from '#services/oidc/tokens/token_store'
import { startBackchannelLogout } from '#services/oidc/logout/backchannel'

/**
 * Ends every session of the user and revokes every token they hold, at every
 * client; the clients the sessions signed into get back-channel logout
 * notices, sent after the caller answers (`delivered`).
 */
export async function signOutEverywhere(adapter: OidcAdapter, userId: number) {
  const sids = await endUserSessions(userId)
  await revokeUserTokens(userId)
  const started = await Promise.all(sids.map((sid) => startBackchannelLogout(adapter, sid)))
  return {
    sessions: sids.length,
    delivered: Promise.all(started.map((logout) => logout.delivered)).then(() => undefined),
  }
}
