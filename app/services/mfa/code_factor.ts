/**
 * The `code` field of the authenticate page: a TOTP code, else one of the
 * user's recovery codes (allauth's AuthenticateForm tries them in this order).
 * Either proves a one-time password (`otp`).
 */
import { findAuthenticator } from '#services/mfa/authenticator_store'
import { useTotpCode } from '#services/mfa/totp'
import { useRecoveryCode } from '#services/mfa/recovery_codes'
import type { SecondFactorMethod } from '#services/mfa/authentication_methods'

export const codeFactor: SecondFactorMethod = {
  field: 'code',
  types: ['totp', 'recovery_codes'],
  async verify(userId, code) {
    const totp = await findAuthenticator(userId, 'totp')
    if (totp && (await useTotpCode(totp, code))) return { methods: ['otp'] }
    const recovery = await findAuthenticator(userId, 'recovery_codes')
    if (recovery && (await useRecoveryCode(recovery, code))) return { methods: ['otp'] }
    return null
  },
}
