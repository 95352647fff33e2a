/**
 * The token endpoint's common checks (endpoints.md §4), in order, then the
 * grant's own handler.
 */
import type { HttpContext } from '@adonisjs/core/http'
import {
  InvalidGrant,
  OAuthError,
  UnauthorizedClient,
  UnsupportedGrantType,
} from '#services/oidc/protocol/errors'
import { authenticateClient } from '#services/oidc/clients/authentication'
import { readApiForm } from '#services/oidc/protocol/parameters'
import { hitRateLimit } from '#services/rate_limits/rate_limits'
import { clientIp } from '#services/http/client_ip'
import { setCorsClient } from '#services/oidc/clients/cors'
import { authorizationCodeGrant } from '#services/oidc/grants/authorization_code'
import { clientCredentialsGrant } from '#services/oidc/grants/client_credentials'
import { refreshTokenGrant } from '#services/oidc/grants/refresh_token'
import { deviceCodeGrant } from '#services/oidc/grants/device_code'
import type { Grant, TokenResponse } from '#services/oidc/grants/grant'

const GRANTS = new Map<string, Grant>(
  [authorizationCodeGrant, clientCredentialsGrant, refreshTokenGrant, deviceCodeGrant].map(
    (grant) => [grant.grantType, grant]
  )
)

export async function handleTokenRequest(ctx: HttpContext): Promise<TokenResponse> {
  const params = readApiForm(ctx)
  try {
    const grantType = params.grant_type
    const grant = grantType ? GRANTS.get(grantType) : undefined
    if (!grant && grantType !== 'password') throw new UnsupportedGrantType()
    grant?.checkParameters(params)
    const client = await authenticateClient(ctx, params, {
      confidentialOnly: grant?.confidentialOnly,
    })
    setCorsClient(ctx, client)
    await hitRateLimit('token', { ip: clientIp(ctx.request), key: client.id })
    /* compat: the password grant never works (RFC 9700 §2.4) */
    if (!grant) throw new InvalidGrant('Invalid credentials given.')
    if (!client.grantTypes.includes(grant.grantType)) throw new UnauthorizedClient()
    return await grant.handle(ctx, client, params)
  } catch (error) {
    if (error instanceof OAuthError) error.withState(params.state)
    throw error
  }
}
