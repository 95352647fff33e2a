/**
 * The discovery document (docs/endpoints.md#discovery): allauth's 11 keys first, in its
 * order (compat), then the complete RFC 8414 metadata.
 */
import { SUPPORTED_LOCALES } from '#config/i18n'
import oidcConfig from '#config/oidc'
import type { OidcAdapter } from '#services/oidc/adapter/adapter'
import { PATHS } from '#services/oidc/protocol/paths'
import {
  PROMPT_VALUES,
  RESPONSE_MODES,
  RESPONSE_TYPES,
  STANDARD_SCOPES,
} from '#services/oidc/protocol/vocabulary'
import { GRANT_TYPES } from '#services/oidc/grants/registry'
import { CLIENT_AUTH_METHODS } from '#services/oidc/clients/authentication'
import { ACR_VALUES_SUPPORTED } from '#services/mfa/assurance'

const CLAIMS_SUPPORTED =
  'sub iss aud exp iat auth_time acr amr nonce azp sid at_hash c_hash name given_name family_name middle_name nickname preferred_username picture website gender birthdate zoneinfo locale updated_at email email_verified phone_number phone_number_verified address'.split(
    ' '
  )

export async function discoveryDocument(adapter: OidcAdapter) {
  const iss = adapter.getIssuer()
  const metadata: Record<string, unknown> = {
    authorization_endpoint: iss + PATHS.authorize,
    device_authorization_endpoint: iss + PATHS.deviceCode,
    revocation_endpoint: iss + PATHS.revoke,
    token_endpoint: iss + PATHS.token,
    userinfo_endpoint: oidcConfig.userinfoEndpoint ?? iss + PATHS.userinfo,
    end_session_endpoint: iss + PATHS.logout,
    jwks_uri: iss + PATHS.jwks,
    issuer: iss,
    response_types_supported: RESPONSE_TYPES,
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: [oidcConfig.signingAlg],
    introspection_endpoint: iss + PATHS.introspect,
    scopes_supported: STANDARD_SCOPES,
    /* implicit (a response type, not a token endpoint grant) is listed beside authorization_code */
    grant_types_supported: GRANT_TYPES.flatMap((type) =>
      type === 'authorization_code' ? [type, 'implicit'] : [type]
    ),
    response_modes_supported: RESPONSE_MODES,
    token_endpoint_auth_methods_supported: CLIENT_AUTH_METHODS,
    revocation_endpoint_auth_methods_supported: CLIENT_AUTH_METHODS,
    introspection_endpoint_auth_methods_supported: CLIENT_AUTH_METHODS.filter(
      (method) => method !== 'none'
    ),
    code_challenge_methods_supported: oidcConfig.pkceAllowPlain ? ['S256', 'plain'] : ['S256'],
    prompt_values_supported: PROMPT_VALUES,
    claims_supported: CLAIMS_SUPPORTED,
    ui_locales_supported: SUPPORTED_LOCALES,
    /* docs/mfa.md: with a second factor or without */
    acr_values_supported: ACR_VALUES_SUPPORTED,
    authorization_response_iss_parameter_supported: true,
    request_parameter_supported: false,
    request_uri_parameter_supported: false,
    claims_parameter_supported: false,
    backchannel_logout_supported: true,
    backchannel_logout_session_supported: true,
  }
  await adapter.populateServerMetadata(metadata)
  return metadata
}
