/**
 * Token revocation (RFC 7009, docs/endpoints.md#revocation-endpoint). Only the caller's own tokens
 * are touched (RFC 7009 §2.1); revoking a refresh token revokes its family.
 * Unknown tokens are not an error: the answer is the same either way.
 */
import type OidcClient from '#models/oidc_client'
import type { TokenType } from '#models/oidc_token'
import type { OidcAdapter } from '#services/oidc/adapter/adapter'
import {
  findToken,
  revokeFamily,
  revokeTokenById,
  type ResolvedToken,
} from '#services/oidc/tokens/token_store'

/** token_type_hint only decides which kind is searched first; any other value is ignored */
export async function findTokenByHint(
  adapter: OidcAdapter,
  value: string,
  hint: string | undefined
): Promise<ResolvedToken | null> {
  const order: TokenType[] = hint === 'refresh_token' ? ['rt', 'at'] : ['at', 'rt']
  const hash = adapter.hashToken(value)
  for (const type of order) {
    const resolved = await findToken(type, hash)
    if (resolved) return resolved
  }
  return null
}

export async function revokeToken(
  adapter: OidcAdapter,
  client: OidcClient,
  value: string,
  hint: string | undefined
) {
  const resolved = await findTokenByHint(adapter, value, hint)
  if (!resolved || resolved.token.clientId !== client.id) return
  if (resolved.token.type === 'rt') return revokeFamily(resolved.token.familyId)
  await revokeTokenById(resolved.token.id)
}
