/*
 * The account settings (sign-up, sign-in, email verification, passwords,
 * account rate limits), read once at boot from the environment variable of
 * allauth's name (docs/accounts.md). An invalid value stops the boot with one
 * line naming the variable.
 */
import appEnv from '#start/env'
import * as read from '#start/settings'
import * as account from '#start/account_settings'

const env = process.env

/** ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED (allauth): a mailed code instead of a link, default false */
const emailVerificationByCode = read.bool(env, 'ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED', false)

const { rateLimits, deprecations } = account.accountRateLimits(
  env,
  'ACCOUNT_RATE_LIMITS',
  'IDP_OIDC_RATE_LIMITS',
  emailVerificationByCode
)

const accountsConfig = {
  /** SITE_NAME (Django's site name): in mail subjects, mails and pages; unset = the request's host */
  siteName: read.optionalString(env, 'SITE_NAME'),

  /** ACCOUNT_EMAIL_VERIFICATION (allauth): none, optional (default) or mandatory */
  emailVerification: read.oneOf(
    env,
    'ACCOUNT_EMAIL_VERIFICATION',
    ['none', 'optional', 'mandatory'] as const,
    'optional'
  ),

  emailVerificationByCode,

  /** ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED (allauth): a mailed code instead of a link, default false */
  passwordResetByCode: read.bool(env, 'ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED', false),

  /** ACCOUNT_LOGIN_METHODS (allauth): email, username or both (default), comma-separated */
  loginMethods: account.loginMethods(env, 'ACCOUNT_LOGIN_METHODS'),

  /** ACCOUNT_SIGNUP_OPEN (allauth adapter's is_open_for_signup): default true */
  signupOpen: read.bool(env, 'ACCOUNT_SIGNUP_OPEN', true),

  /** ACCOUNT_PASSWORD_MIN_LENGTH (allauth): default 6 */
  passwordMinLength: account.atLeast(env, 'ACCOUNT_PASSWORD_MIN_LENGTH', 1, 6),

  /** ACCOUNT_REAUTHENTICATION_TIMEOUT (allauth): seconds a sign-in counts as recent, default 300 */
  reauthenticationTimeout: read.seconds(env, 'ACCOUNT_REAUTHENTICATION_TIMEOUT', 300),

  /** ACCOUNT_PREVENT_ENUMERATION (allauth): default true */
  preventEnumeration: read.bool(env, 'ACCOUNT_PREVENT_ENUMERATION', true),

  /** ACCOUNT_RATE_LIMITS (allauth): merged over allauth's defaults, key by key */
  rateLimits,

  /** Deprecated settings in use, logged once at boot */
  deprecations,

  /** APP_KEY signs password reset keys, as Django's SECRET_KEY does for its token generator */
  resetKeySecret: appEnv.get('APP_KEY'),

  /** LOGIN_REDIRECT_URL (Django): where a sign-in without `next` lands */
  loginRedirectUrl: '/',
}

export type AccountsConfig = typeof accountsConfig
export default accountsConfig
