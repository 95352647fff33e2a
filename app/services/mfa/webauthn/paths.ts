/** The security-key pages' paths (allauth.mfa.webauthn's, trailing slash included) */
export const WEBAUTHN_PATHS = {
  list: '/accounts/2fa/webauthn/',
  add: '/accounts/2fa/webauthn/add/',
  remove: '/accounts/2fa/webauthn/keys/:id/remove/',
  edit: '/accounts/2fa/webauthn/keys/:id/edit/',
  passkeyLogin: '/accounts/2fa/webauthn/login/',
} as const

export const removeKeyPath = (id: number) => `/accounts/2fa/webauthn/keys/${id}/remove/`
export const editKeyPath = (id: number) => `/accounts/2fa/webauthn/keys/${id}/edit/`
