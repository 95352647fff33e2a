/**
 * How a session was authenticated, in RFC 8176 words (the ID token's `amr`),
 * and the second factors the authenticate page accepts. A factor is a method
 * object: it reads one form field and says what the answer proved. TOTP and
 * recovery codes share the `code` field; WebAuthn reads `credential`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8176#section-2
 */
import type { Session } from '@adonisjs/session'
import type { AuthenticatorType } from '#start/mfa_settings'

/** pwd: a password; otp: a one-time code (TOTP or recovery code); hwk/swk: a hardware or software key; mfa: more than one factor */
export type AuthenticationMethod = 'pwd' | 'otp' | 'hwk' | 'swk' | 'mfa'

/** What an accepted second factor proved */
export type FactorProof = { methods: AuthenticationMethod[] }

export interface SecondFactorMethod {
  /** The form field its answer comes in */
  field: string
  /** The authenticator types it works with; offered to a user who has one of them */
  types: AuthenticatorType[]
  /** Checks the answer for the user: what it proved, or null for a wrong answer */
  verify(userId: number, answer: string, session: Session): Promise<FactorProof | null>
  /** What the authenticate page needs to offer it (JSON for its script), if anything */
  pageData?(userId: number, session: Session): Promise<Record<string, unknown>>
}

/**
 * The methods of a sign-in after it passed `added`: each once, in RFC 8176's
 * order of appearance, with `mfa` once there are two kinds of factor.
 */
export function combineMethods(
  used: AuthenticationMethod[],
  added: AuthenticationMethod[]
): AuthenticationMethod[] {
  const methods = [...new Set([...used, ...added])].filter((method) => method !== 'mfa')
  const kinds = new Set(methods.map((method) => (method === 'pwd' ? 'knowledge' : 'possession')))
  return kinds.size > 1 ? [...methods, 'mfa'] : methods
}
