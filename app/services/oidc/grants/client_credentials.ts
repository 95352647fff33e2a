/**
 * grant_type=client_credentials (docs/endpoints.md#client_credentials-grant): a token for the client
 * itself. No user, so never a refresh token or an ID token, and no `sub` in a
 * JWT (RFC 9700 §4.15: a client must never pass for a user).
 */
import type OidcClient from '#models/oidc_client'
import { issueTokens } from '#services/oidc/tokens/issuer'
import { resolveScopes } from '#services/oidc/protocol/scopes'
import { randomFamilyId } from '#services/oidc/protocol/random'
import { tokenResponse, type GrantHandler, type TokenResponse } from '#services/oidc/grants/grant'
import type { ApiRequest } from '#services/oidc/clients/api_request'

export const clientCredentialsGrant: GrantHandler = {
  grantType: 'client_credentials',
  confidentialOnly: true,

  checkParameters() {},

  async handle({ adapter, params, ip }: ApiRequest, client: OidcClient): Promise<TokenResponse> {
    const scopes = resolveScopes(client, params.scope)
    const grant = {
      client,
      user: null,
      scopes,
      familyId: randomFamilyId(),
      email: null,
      authTime: null,
      amr: null,
      sid: null,
    }
    const { accessToken } = await issueTokens(adapter, grant, {
      grantType: 'client_credentials',
      ip,
      idToken: false,
    })
    return tokenResponse(accessToken, scopes)
  },
}
