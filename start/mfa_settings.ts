/**
 * Parsers for the two-factor settings (`MFA_*`, docs/mfa.md). Each throws
 * InvalidSettingError, which stops the boot with one line naming the variable.
 */
import { InvalidSettingError } from '#start/settings'
import { recordSettingName } from '#start/setting_names'

type Source = Record<string, string | undefined>

/** allauth's Authenticator.Type values */
export const AUTHENTICATOR_TYPES = ['totp', 'recovery_codes', 'webauthn'] as const
export type AuthenticatorType = (typeof AUTHENTICATOR_TYPES)[number]

/** A comma-separated subset of totp, recovery_codes, webauthn; allauth's default is the first two */
export function supportedTypes(source: Source, name: string): AuthenticatorType[] {
  recordSettingName(name)
  const value = source[name]?.trim()
  if (value === undefined || value === '') return ['totp', 'recovery_codes']
  const types = value.split(',').map((entry) => entry.trim())
  for (const type of types) {
    if (!(AUTHENTICATOR_TYPES as readonly string[]).includes(type))
      throw new InvalidSettingError(
        name,
        `expected a comma-separated list of totp, recovery_codes and webauthn, got "${type}"`
      )
  }
  return AUTHENTICATOR_TYPES.filter((type) => types.includes(type))
}

/** A whole number from `minimum` to `maximum` */
export function between(
  source: Source,
  name: string,
  minimum: number,
  maximum: number,
  fallback: number
) {
  recordSettingName(name)
  const value = source[name]?.trim()
  if (!value) return fallback
  if (!/^\d+$/.test(value) || Number(value) < minimum || Number(value) > maximum)
    throw new InvalidSettingError(
      name,
      `expected a whole number from ${minimum} to ${maximum}, got "${value}"`
    )
  return Number(value)
}
