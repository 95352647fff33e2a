/** Endpoint paths (docs/endpoints.md#routes); IdP paths have no trailing slash (compat) */
export const PATHS = {
  discovery: '/.well-known/openid-configuration',
  /* RFC 8414 §3: the same metadata where OAuth-only clients look */
  oauthServerMetadata: '/.well-known/oauth-authorization-server',
  jwks: '/.well-known/jwks.json',
  authorize: '/identity/o/authorize',
  token: '/identity/o/api/token',
  userinfo: '/identity/o/api/userinfo',
  revoke: '/identity/o/api/revoke',
  introspect: '/identity/o/api/introspect',
  deviceCode: '/identity/o/api/device/code',
  device: '/identity/o/device',
  logout: '/identity/o/logout',
  login: '/accounts/login/',
  accountLogout: '/accounts/logout/',
  grants: '/accounts/grants/',
} as const

/** Paths answered in JSON, never with an HTML page (the health probes' too) */
export const JSON_PATHS = /^\/(identity\/o\/api\/|\.well-known\/|api\/|health\/)/

const IDP_PATHS = new Set<string>(Object.values(PATHS).filter((path) => !path.endsWith('/')))

/** An IdP path with a trailing slash, which the router would otherwise match: 404 (compat) */
export function isIdpPathWithTrailingSlash(path: string) {
  return path.length > 1 && path.endsWith('/') && IDP_PATHS.has(path.replace(/\/+$/, ''))
}
