/** The two-factor pages' paths (allauth.mfa's, trailing slash included) */
export const MFA_PATHS = {
  index: '/accounts/2fa/',
  authenticate: '/accounts/2fa/authenticate/',
  reauthenticate: '/accounts/2fa/reauthenticate/',
  totpActivate: '/accounts/2fa/totp/activate/',
  totpDeactivate: '/accounts/2fa/totp/deactivate/',
  recoveryCodes: '/accounts/2fa/recovery-codes/',
  recoveryCodesDownload: '/accounts/2fa/recovery-codes/download/',
  recoveryCodesGenerate: '/accounts/2fa/recovery-codes/generate/',
} as const
