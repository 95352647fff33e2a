/*
 * The two-factor settings (allauth.mfa's names, docs/mfa.md), read once at
 * boot. An invalid value stops the boot with one line naming the variable.
 */
import '#start/env'
import * as read from '#start/settings'
import * as mfa from '#start/mfa_settings'

const env = process.env

/** MFA_SUPPORTED_TYPES (allauth): totp, recovery_codes, webauthn; default totp,recovery_codes */
const supportedTypes = mfa.supportedTypes(env, 'MFA_SUPPORTED_TYPES')
/* WebAuthn's RP id and origin come from APP_URL (app/services/mfa/webauthn/relying_party.ts) */
if (supportedTypes.includes('webauthn') && !env.APP_URL?.trim())
  throw new read.InvalidSettingError(
    'MFA_SUPPORTED_TYPES',
    'webauthn needs APP_URL, whose host is the WebAuthn RP id and whose origin the one accepted'
  )

const mfaConfig = {
  supportedTypes,

  /** MFA_RECOVERY_CODE_COUNT (allauth): codes in a set, default 10 (at most 50: one bit each in a used mask JSON numbers hold exactly) */
  recoveryCodeCount: mfa.between(env, 'MFA_RECOVERY_CODE_COUNT', 1, 50, 10),

  /** MFA_RECOVERY_CODE_DIGITS (allauth): digits of a recovery code, default 8 */
  recoveryCodeDigits: mfa.between(env, 'MFA_RECOVERY_CODE_DIGITS', 6, 16, 8),

  /** MFA_TOTP_ISSUER (allauth): the issuer in the otpauth:// URI; empty means SITE_NAME */
  totpIssuer: read.optionalString(env, 'MFA_TOTP_ISSUER'),

  /** MFA_TOTP_PERIOD (allauth): seconds per code, default 30 */
  totpPeriod: mfa.between(env, 'MFA_TOTP_PERIOD', 15, 300, 30),

  /** MFA_TOTP_DIGITS (allauth): digits of a code, default 6 */
  totpDigits: mfa.between(env, 'MFA_TOTP_DIGITS', 6, 8, 6),

  /**
   * MFA_TOTP_TOLERANCE (allauth): steps accepted on each side of the current
   * one. allauth's default is 0; ours is 1, as RFC 6238 §5.2 recommends for
   * clock drift.
   */
  totpTolerance: mfa.between(env, 'MFA_TOTP_TOLERANCE', 0, 10, 1),

  /** MFA_PASSKEY_LOGIN_ENABLED (allauth): "Sign in with a passkey"; only with webauthn supported */
  passkeyLoginEnabled:
    read.bool(env, 'MFA_PASSKEY_LOGIN_ENABLED', false) && supportedTypes.includes('webauthn'),

  /** MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN (allauth): accept http:// origins, for development */
  webauthnAllowInsecureOrigin: read.bool(env, 'MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN', false),

  /** ADMIN_REQUIRE_MFA: staff enter the admin console only with a second factor in this session, default on */
  adminRequireMfa: read.bool(env, 'ADMIN_REQUIRE_MFA', true),

  /** allauth's ACCOUNT_LOGIN_TIMEOUT, fixed: seconds a sign-in may wait for its second factor */
  signInStageTimeout: 900,
}

export type MfaConfig = typeof mfaConfig
export default mfaConfig
