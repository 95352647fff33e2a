/**
 * The token endpoint's common checks (docs/endpoints.md#token-endpoint), in order, then the
 * grant's own handler.
 */
import {
  InvalidGrant,
  OAuthError,
  UnauthorizedClient,
  UnsupportedGrantType,
} from '#services/oidc/protocol/errors'
import { authenticateClient } from '#services/oidc/clients/authentication'
import { hitRateLimit } from '#services/rate_limits/rate_limits'
import { tokensIssued } from '#services/observability/metrics'
import type { TokenResponse } from '#services/oidc/grants/grant'
import { GRANTS } from '#services/oidc/grants/registry'
import type { ApiRequest } from '#services/oidc/clients/api_request'

export async function handleTokenRequest(request: ApiRequest): Promise<TokenResponse> {
  const { params } = request
  try {
    const grantType = params.grant_type
    const grant = grantType ? GRANTS.get(grantType) : undefined
    if (!grant && grantType !== 'password') throw new UnsupportedGrantType()
    grant?.checkParameters(params)
    const client = await authenticateClient(request, { confidentialOnly: grant?.confidentialOnly })
    await hitRateLimit('token', { ip: request.ip, key: client.id, client: client.id })
    /* compat: the password grant never works (RFC 9700 §2.4) */
    if (!grant) throw new InvalidGrant('Invalid credentials given.')
    if (!client.grantTypes.includes(grant.grantType)) throw new UnauthorizedClient()
    const response = await grant.handle(request, client)
    tokensIssued.inc({ grant_type: grant.grantType })
    return response
  } catch (error) {
    if (error instanceof OAuthError) error.withState(params.state)
    throw error
  }
}
