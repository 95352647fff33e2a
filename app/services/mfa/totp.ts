/**
 * TOTP (RFC 6238) as allauth.mfa has it: HMAC-SHA1, MFA_TOTP_DIGITS digits,
 * MFA_TOTP_PERIOD-second steps, a 20-byte secret shown as 32 base32
 * characters, MFA_TOTP_TOLERANCE steps accepted on each side. The
 * authenticator's `data` holds the sealed `secret` (allauth's key) and
 * `last_step`, the latest step a code was accepted for: a code of that step
 * or an earlier one is refused, so that each code works once (§5.2).
 *
 * @see https://www.rfc-editor.org/rfc/rfc6238
 */
import { Secret, TOTP } from 'otpauth'
import mfaConfig from '#config/mfa'
import type MfaAuthenticator from '#models/mfa_authenticator'
import {
  changeAuthenticatorData,
  createAuthenticator,
  dataOf,
  openSecret,
  sealSecret,
} from '#services/mfa/authenticator_store'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'

const totpOptions = () => ({
  algorithm: 'SHA1',
  digits: mfaConfig.totpDigits,
  period: mfaConfig.totpPeriod,
})

/** A new secret: 20 random bytes, base32 */
export function generateTotpSecret(): string {
  return new Secret({ size: 20 }).base32
}

/** The otpauth:// URI an authenticator app scans: the account as label, the issuer as parameter */
export function totpUri(secret: string, account: string, issuer: string): string {
  return new TOTP({
    ...totpOptions(),
    issuer,
    label: account,
    issuerInLabel: false,
    secret: Secret.fromBase32(secret),
  }).toString()
}

/** The time step of a moment (ms) */
export const totpStep = (timestamp = Date.now()) =>
  TOTP.counter({ period: mfaConfig.totpPeriod, timestamp })

/** The step within the tolerance whose code `code` is, or null */
export function matchingStep(secret: string, code: string, timestamp = Date.now()): number | null {
  const token = code.replace(/\s/g, '')
  if (!new RegExp(`^\\d{${mfaConfig.totpDigits}}$`).test(token)) return null
  const delta = TOTP.validate({
    ...totpOptions(),
    token,
    secret: Secret.fromBase32(secret),
    timestamp,
    window: mfaConfig.totpTolerance,
  })
  return delta === null ? null : totpStep(timestamp) + delta
}

/** Activates TOTP with the secret the person confirmed, the confirming code's step counting as used */
export async function activateTotp(
  userId: number,
  secret: string,
  step: number,
  trx?: TransactionClientContract
) {
  return createAuthenticator(userId, 'totp', { secret: sealSecret(secret), last_step: step }, trx)
}

/**
 * Whether `code` is a current code of the authenticator not used before; an
 * accepted code's step is written in the same conditional update that
 * decides, so that two requests with the same code cannot both pass.
 */
export async function useTotpCode(authenticator: MfaAuthenticator, code: string) {
  const data = dataOf(authenticator)
  const secret = openSecret(data.secret)
  if (!secret) return false
  const step = matchingStep(secret, code)
  if (step === null) return false
  if (typeof data.last_step === 'number' && step <= data.last_step) return false
  return changeAuthenticatorData(authenticator, { ...data, last_step: step }, { used: true })
}
