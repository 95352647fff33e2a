/**
 * The token endpoint's grants, by grant_type, in the order discovery lists
 * them. Registration accepts exactly these, and discovery advertises them.
 */
import { authorizationCodeGrant } from '#services/oidc/grants/authorization_code'
import { clientCredentialsGrant } from '#services/oidc/grants/client_credentials'
import { refreshTokenGrant } from '#services/oidc/grants/refresh_token'
import { deviceCodeGrant } from '#services/oidc/grants/device_code'
import type { GrantHandler } from '#services/oidc/grants/grant'

export const GRANTS = new Map<string, GrantHandler>(
  [authorizationCodeGrant, refreshTokenGrant, clientCredentialsGrant, deviceCodeGrant].map(
    (grant) => [grant.grantType, grant]
  )
)

/** The grant types a client may be registered with */
export const GRANT_TYPES = [...GRANTS.keys()]
