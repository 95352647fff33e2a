import type OidcClient from '#models/oidc_client'
import type { IssuedToken } from '#services/oidc/tokens/issuer'
import type { ApiRequest } from '#services/oidc/clients/api_request'
import { joinScopes } from '#services/oidc/protocol/scopes'

/** The JSON of a successful token response, keys in the contract's order (docs/endpoints.md#token-endpoint) */
export type TokenResponse = {
  access_token: string
  expires_in: number
  token_type: 'Bearer'
  scope: string
  refresh_token?: string
  id_token?: string
}

/** Every grant has the same shape: its type, its required parameters, its handler */
export interface GrantHandler {
  readonly grantType: string
  /** Public clients asking for it get 401 invalid_client (compat) */
  readonly confidentialOnly?: boolean
  /** docs/endpoints.md#token-endpoint: the grant's own required parameters, checked before client authentication */
  checkParameters(params: Record<string, string>): void
  handle(request: ApiRequest, client: OidcClient): Promise<TokenResponse>
}

/** The success body shared by the grants: `refresh_token` and `id_token` only when issued */
export function tokenResponse(
  accessToken: IssuedToken,
  scopes: string[],
  extra: { refreshToken?: string | null; idToken?: string | null } = {}
): TokenResponse {
  const response: TokenResponse = {
    access_token: accessToken.value,
    expires_in: accessToken.expiresIn,
    token_type: 'Bearer',
    scope: joinScopes(scopes),
  }
  if (extra.refreshToken) response.refresh_token = extra.refreshToken
  if (extra.idToken) response.id_token = extra.idToken
  return response
}
