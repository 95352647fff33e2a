/**
 * Token introspection (RFC 7662, docs/endpoints.md#introspection-endpoint). A client may introspect
 * any client's access tokens but only its own refresh tokens; everything else,
 * including tokens that are expired, revoked or rotated out, is just inactive.
 */
import type OidcClient from '#models/oidc_client'
import type { OidcAdapter } from '#services/oidc/adapter/adapter'
import { isUsable } from '#services/oidc/tokens/token_store'
import { findTokenByHint } from '#services/oidc/tokens/revocation'
import { joinScopes } from '#services/oidc/protocol/scopes'
import { accessTokenAudience } from '#services/oidc/tokens/issuer'

export async function introspect(
  adapter: OidcAdapter,
  caller: OidcClient,
  value: string,
  hint: string | undefined
) {
  const resolved = await findTokenByHint(adapter, value, hint)
  if (!resolved || !isUsable(resolved)) return { active: false }
  const { token, client, user } = resolved
  const isAccessToken = token.type === 'at'
  if (!isAccessToken && (token.clientId !== caller.id || token.rotatedAt)) return { active: false }

  const issuer = adapter.getIssuer()
  const audience = accessTokenAudience(issuer)
  const answer: Record<string, unknown> = {
    active: true,
    scope: joinScopes(token.scopes),
    client_id: client.id,
  }
  if (isAccessToken) answer.token_type = 'Bearer'
  if (token.expiresAt) answer.exp = Math.floor(token.expiresAt.toSeconds())
  answer.iat = Math.floor(token.createdAt.toSeconds())
  answer.iss = issuer
  /* RFC 9700 §4.15: client-credentials tokens have no subject */
  if (user) answer.sub = adapter.getUserSub(client, user)
  if (isAccessToken && audience !== null) answer.aud = audience
  if (token.jti) answer.jti = token.jti
  return answer
}
