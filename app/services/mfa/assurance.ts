/**
 * What relying parties learn of how a person signed in: `amr` (RFC 8176)
 * and an `acr` of the REFEDS profiles, which tell a sign-in with a second
 * factor from one without. A relying party asks for a second factor with
 * `acr_values` naming the MFA profile (and not the single-factor one), or by
 * being registered with require_mfa.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8176
 * @see https://refeds.org/profile/mfa
 */
import type { AuthenticationMethod } from '#services/mfa/authentication_methods'

export const ACR_MFA = 'https://refeds.org/profile/mfa'
export const ACR_SFA = 'https://refeds.org/profile/sfa'
export const ACR_VALUES_SUPPORTED = [ACR_SFA, ACR_MFA]

export const acrOf = (amr: AuthenticationMethod[]) => (amr.includes('mfa') ? ACR_MFA : ACR_SFA)

/** Whether `acr_values` (space-separated, in order of preference) accepts only a second factor */
export function acrValuesRequireMfa(acrValues: string | undefined | null): boolean {
  const values = (acrValues ?? '').split(' ').filter(Boolean)
  return values.includes(ACR_MFA) && !values.includes(ACR_SFA)
}
