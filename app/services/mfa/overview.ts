/**
 * What /accounts/2fa/ and the recovery-code pages show of a user's factors:
 * plain values for the views.
 */
import mfaConfig from '#config/mfa'
import { findAuthenticator, listAuthenticators } from '#services/mfa/authenticator_store'
import { recoveryCodeTotal, unusedRecoveryCodes } from '#services/mfa/recovery_codes'

/** Fewer unused recovery codes than this and the pages warn */
export const FEW_RECOVERY_CODES = 3

export type RecoveryCodesView = { unused: string[]; total: number; few: boolean }

export async function recoveryCodesOf(userId: number): Promise<RecoveryCodesView | null> {
  const authenticator = await findAuthenticator(userId, 'recovery_codes')
  if (!authenticator) return null
  const unused = unusedRecoveryCodes(authenticator)
  return {
    unused,
    total: recoveryCodeTotal(authenticator),
    few: unused.length < FEW_RECOVERY_CODES,
  }
}

export async function overviewOf(userId: number) {
  const authenticators = await listAuthenticators(userId)
  const types = new Set(authenticators.map((authenticator) => authenticator.type))
  const recovery = await recoveryCodesOf(userId)
  return {
    totp: mfaConfig.supportedTypes.includes('totp') ? { active: types.has('totp') } : null,
    recoveryCodes: mfaConfig.supportedTypes.includes('recovery_codes')
      ? {
          codes: recovery
            ? { left: recovery.unused.length, total: recovery.total, few: recovery.few }
            : null,
          /* a set backs up another factor: without one there is nothing to generate for */
          canGenerate: types.has('totp') || types.has('webauthn'),
        }
      : null,
    webauthn: mfaConfig.supportedTypes.includes('webauthn')
      ? { keys: authenticators.filter((authenticator) => authenticator.type === 'webauthn').length }
      : null,
  }
}
