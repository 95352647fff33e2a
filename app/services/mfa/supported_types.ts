import mfaConfig from '#config/mfa'
import { OAuthError } from '#services/oidc/protocol/errors'
import type { AuthenticatorType } from '#start/mfa_settings'

/** Pages of a type MFA_SUPPORTED_TYPES leaves out answer 404 (allauth does not route them) */
export function assertTypeSupported(type: AuthenticatorType) {
  if (!mfaConfig.supportedTypes.includes(type))
    throw new OAuthError('not_found', 'The page you are looking for does not exist.', 404).asPage()
}
