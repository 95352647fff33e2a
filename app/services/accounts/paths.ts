/** The account pages' paths (allauth's, trailing slash included) */
export const ACCOUNT_PATHS = {
  signup: '/accounts/signup/',
  confirmEmail: '/accounts/confirm-email/',
  email: '/accounts/email/',
  passwordReset: '/accounts/password/reset/',
  reauthenticate: '/accounts/reauthenticate/',
} as const

export const confirmEmailKeyPath = (key: string) => `${ACCOUNT_PATHS.confirmEmail}${key}/`
