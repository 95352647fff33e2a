/*
 * Every setting of the provider, read once at boot from the environment
 * variable of the same name (docs/settings.md). An invalid value stops the boot
 * with one line naming the variable. Nothing else in the app reads env for
 * these.
 */
import '#start/env'
import * as read from '#start/settings'
import { InvalidSettingError, SIGNING_ALGS, signingAlgOf, type SigningAlg } from '#start/settings'

export type { SigningAlg }

const env = process.env

/** IDP_OIDC_PRIVATE_KEY (allauth): a PEM to sign with instead of the database keys */
const privateKey = read.privateKey(env, 'IDP_OIDC_PRIVATE_KEY')
const keyAlg: SigningAlg | null = privateKey ? signingAlgOf(privateKey) : null
const configuredAlg = read.oneOf(env, 'IDP_OIDC_SIGNING_ALG', SIGNING_ALGS, keyAlg ?? 'RS256')
if (keyAlg && configuredAlg !== keyAlg) {
  throw new InvalidSettingError(
    'IDP_OIDC_SIGNING_ALG',
    `is ${configuredAlg} but IDP_OIDC_PRIVATE_KEY is a ${keyAlg} key`
  )
}

const oidcConfig = {
  /**
   * IDP_OIDC_ADAPTER (allauth): the adapter class (docs/adapter.md). The env var may
   * hold an import specifier; its module's default export is the class.
   */
  adapter: read.optionalString(env, 'IDP_OIDC_ADAPTER') ?? '#services/oidc/adapter/adapter',

  privateKey,

  /** IDP_OIDC_ACCESS_TOKEN_EXPIRES_IN (allauth): seconds, default 3600 */
  accessTokenExpiresIn: read.seconds(env, 'IDP_OIDC_ACCESS_TOKEN_EXPIRES_IN', 3600),

  /** IDP_OIDC_ACCESS_TOKEN_FORMAT (allauth): "opaque" (default) or "jwt" */
  accessTokenFormat: read.oneOf(
    env,
    'IDP_OIDC_ACCESS_TOKEN_FORMAT',
    ['opaque', 'jwt'] as const,
    'opaque'
  ),

  /** IDP_OIDC_AUTHORIZATION_CODE_EXPIRES_IN (allauth): seconds, default 60 */
  authorizationCodeExpiresIn: read.seconds(env, 'IDP_OIDC_AUTHORIZATION_CODE_EXPIRES_IN', 60),

  /** IDP_OIDC_ID_TOKEN_EXPIRES_IN (allauth, ignored there; honoured here): seconds, default 300 */
  idTokenExpiresIn: read.seconds(env, 'IDP_OIDC_ID_TOKEN_EXPIRES_IN', 300),

  /** IDP_OIDC_ROTATE_REFRESH_TOKEN (allauth): default true; public clients always rotate */
  rotateRefreshToken: read.bool(env, 'IDP_OIDC_ROTATE_REFRESH_TOKEN', true),

  /** IDP_OIDC_DEVICE_CODE_EXPIRES_IN (allauth): seconds, default 300 */
  deviceCodeExpiresIn: read.seconds(env, 'IDP_OIDC_DEVICE_CODE_EXPIRES_IN', 300),

  /** IDP_OIDC_DEVICE_CODE_INTERVAL (allauth): seconds, default 5 */
  deviceCodeInterval: read.seconds(env, 'IDP_OIDC_DEVICE_CODE_INTERVAL', 5),

  /** IDP_OIDC_USER_CODE_FORMAT (allauth): {"length","numeric","dashed"} */
  userCodeFormat: read.userCodeFormat(env, 'IDP_OIDC_USER_CODE_FORMAT'),

  /** IDP_OIDC_RATE_LIMITS (allauth): merged over the defaults of docs/settings.md#rate-limits */
  rateLimits: read.rateLimits(env, 'IDP_OIDC_RATE_LIMITS'),

  /** IDP_OIDC_RP_INITIATED_LOGOUT_ASKS_FOR_OP_LOGOUT (allauth): default true */
  rpInitiatedLogoutAsksForOpLogout: read.bool(
    env,
    'IDP_OIDC_RP_INITIATED_LOGOUT_ASKS_FOR_OP_LOGOUT',
    true
  ),

  /** IDP_OIDC_USERINFO_ENDPOINT (allauth): an external userinfo URL; the built-in route is then not registered */
  userinfoEndpoint: read.absoluteUrl(env, 'IDP_OIDC_USERINFO_ENDPOINT'),

  /** IDP_OIDC_SIGNING_ALG (ours): RS256 (default), ES256 or EdDSA */
  signingAlg: configuredAlg,

  /** IDP_OIDC_ACCESS_TOKEN_AUDIENCE (ours): JWT access token `aud`; unset = the issuer, "" = none */
  accessTokenAudience: read.audience(env, 'IDP_OIDC_ACCESS_TOKEN_AUDIENCE'),

  /** IDP_OIDC_REFRESH_TOKEN_EXPIRES_IN (ours): absolute RT lifetime from the family's start; unset = never */
  refreshTokenExpiresIn: read.seconds(env, 'IDP_OIDC_REFRESH_TOKEN_EXPIRES_IN', null),

  /** IDP_OIDC_REFRESH_TOKEN_GRACE_PERIOD (ours): seconds a rotated RT still refreshes, default 0 */
  refreshTokenGracePeriod: read.seconds(env, 'IDP_OIDC_REFRESH_TOKEN_GRACE_PERIOD', 0),

  /** IDP_OIDC_CONSENT_EXPIRES_IN (ours): how long a remembered consent lasts; 0 = never remember */
  consentExpiresIn: read.seconds(env, 'IDP_OIDC_CONSENT_EXPIRES_IN', 7776000),

  /** IDP_OIDC_PKCE_ALLOW_PLAIN (ours): accept code_challenge_method=plain, default false */
  pkceAllowPlain: read.bool(env, 'IDP_OIDC_PKCE_ALLOW_PLAIN', false),

  /** APP_URL: the issuer when set (a bare origin); otherwise the request's origin, as allauth */
  appUrl: read.issuerOrigin(env, 'APP_URL'),

  /** ALLAUTH_TRUSTED_PROXY_COUNT (allauth): proxies whose X-Forwarded-* headers are believed */
  trustedProxyCount: read.count(env, 'ALLAUTH_TRUSTED_PROXY_COUNT', 0),

  /** ALLAUTH_TRUSTED_CLIENT_IP_HEADER (allauth): a header holding the client IP, e.g. CF-Connecting-IP */
  trustedClientIpHeader: read.optionalString(env, 'ALLAUTH_TRUSTED_CLIENT_IP_HEADER'),
}

export type OidcConfig = typeof oidcConfig
export default oidcConfig
