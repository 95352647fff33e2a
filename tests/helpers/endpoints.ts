/**
 * The names every test sends requests with: the provider's endpoint paths
 * (pinned as literals in tests/functional/oidc/discovery.spec.ts), the test
 * relying party's callback and the device grant's URN.
 */
export const AUTHORIZE = '/identity/o/authorize'
export const TOKEN = '/identity/o/api/token'
export const USERINFO = '/identity/o/api/userinfo'
export const REVOKE = '/identity/o/api/revoke'
export const INTROSPECT = '/identity/o/api/introspect'
export const DEVICE_CODE = '/identity/o/api/device/code'
export const DEVICE_PAGE = '/identity/o/device'
export const LOGOUT = '/identity/o/logout'

/** The redirect URI createClient registers unless told otherwise */
export const REDIRECT = 'https://rp.example/callback'

export const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code'
