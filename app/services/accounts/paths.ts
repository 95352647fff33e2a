/** The account pages' paths (allauth's, trailing slash included) */
export const ACCOUNT_PATHS = {
  signup: '/accounts/signup/',
  confirmEmail: '/accounts/confirm-email/',
  email: '/accounts/email/',
  passwordReset: '/accounts/password/reset/',
  passwordResetDone: '/accounts/password/reset/done/',
  passwordResetKey: '/accounts/password/reset/key/',
  passwordResetKeyDone: '/accounts/password/reset/key/done/',
  passwordResetConfirm: '/accounts/password/reset/confirm/',
  passwordResetComplete: '/accounts/password/reset/complete/',
  passwordChange: '/accounts/password/change/',
  reauthenticate: '/accounts/reauthenticate/',
  sessions: '/accounts/sessions/',
} as const

export const confirmEmailKeyPath = (key: string) => `${ACCOUNT_PATHS.confirmEmail}${key}/`

/** `/accounts/password/reset/key/<uidb36>-<key>/`; the key `set-password` names the form */
export const passwordResetKeyPath = (uid: string, key: string) =>
  `${ACCOUNT_PATHS.passwordResetKey}${uid}-${key}/`
