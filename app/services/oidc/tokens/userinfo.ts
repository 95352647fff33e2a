/**
 * The userinfo endpoint (OIDC Core §5.3): the claims of the access token's
 * user for the token's scopes, with the email chosen at consent.
 */
import type OidcClient from '#models/oidc_client'
import type { Claims, OidcAdapter } from '#services/oidc/adapter/adapter'
import { InsufficientScope, InvalidToken } from '#services/oidc/protocol/errors'
import { findUsableAccessToken } from '#services/oidc/tokens/token_store'

/**
 * `tokenFound` learns the token's client before the scope check, so that a
 * 403 can still be read cross-origin by that client.
 */
export async function userinfoClaims(
  adapter: OidcAdapter,
  accessToken: string | null,
  tokenFound: (client: OidcClient) => void
): Promise<Claims> {
  const resolved = accessToken ? await findUsableAccessToken(adapter.hashToken(accessToken)) : null
  /* client-credentials tokens have no user to describe */
  if (!resolved?.user) throw new InvalidToken()
  const { token, client, user } = resolved
  tokenFound(client)
  if (!token.scopes.includes('openid')) throw new InsufficientScope('openid')
  return adapter.getClaims('userinfo', user, client, token.scopes, token.data?.email ?? null)
}
