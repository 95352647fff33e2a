/**
 * User codes of the device flow (RFC 8628 §6.1): drawn from an alphabet
 * without vowels (no words) or look-alike letters, shown dashed into groups,
 * and compared ignoring case, spaces and dashes (ours; allauth needs the dash).
 */
import { randomInt } from 'node:crypto'
import oidcConfig from '#config/oidc'

const LETTERS = 'BCDFGHJKLMNPQRSTVWXZ'
const DIGITS = '0123456789'

/** What a person typed, in the stored form */
export function normaliseUserCode(typed: string) {
  return typed.replace(/[\s-]/g, '').toUpperCase()
}

/** A stored (normalised) user code as people read it: dashed into groups as IDP_OIDC_USER_CODE_FORMAT says */
export function formatUserCode(normalised: string) {
  if (!oidcConfig.userCodeFormat.dashed) return normalised
  const groups = normalised.length <= 8 ? 2 : 3
  const size = Math.ceil(normalised.length / groups)
  return normalised.match(new RegExp(`.{1,${size}}`, 'g'))!.join('-')
}

/** A new user code in IDP_OIDC_USER_CODE_FORMAT, formatted for display */
export function randomUserCode() {
  const { length, numeric } = oidcConfig.userCodeFormat
  const alphabet = numeric ? DIGITS : LETTERS
  let code = ''
  for (let i = 0; i < length; i++) code += alphabet[randomInt(alphabet.length)]
  return formatUserCode(code)
}
