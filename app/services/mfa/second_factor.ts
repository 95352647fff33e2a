/**
 * Giving a second factor at /accounts/2fa/authenticate/: which factors the
 * user can give, and one attempt under the `login_failed` rate limit, counted
 * per user together with the password failures of the account (allauth
 * counts both as failed logins), so that guessing codes locks the account's
 * sign-in out as guessing passwords does.
 */
import type { Session } from '@adonisjs/session'
import { listAuthenticators } from '#services/mfa/authenticator_store'
import type { FactorProof, SecondFactorMethod } from '#services/mfa/authentication_methods'
import { codeFactor } from '#services/mfa/code_factor'
import { keyFactor } from '#services/mfa/webauthn/key_factor'
import { hitRateLimit, refundRateLimit } from '#services/rate_limits/rate_limits'
import { TooManyRequests } from '#services/oidc/protocol/errors'

/** Every kind of second factor, in the order the page offers them */
export const SECOND_FACTOR_METHODS: SecondFactorMethod[] = [codeFactor, keyFactor]

/** The methods the user has an authenticator for */
export async function offeredMethods(userId: number): Promise<SecondFactorMethod[]> {
  const authenticators = await listAuthenticators(userId)
  const types = new Set(authenticators.map((row) => row.type))
  return SECOND_FACTOR_METHODS.filter((method) => method.types.some((type) => types.has(type)))
}

export type FactorAttempt =
  | { proof: FactorProof }
  | { failure: 'incorrect' }
  | { failure: 'rate_limited'; retryAfter: string }

/** The same key as the account's password failures (app/services/accounts/credentials.ts) */
const failureSubject = (userId: number, ip: string) => ({ ip, user: userId, key: `user ${userId}` })

/** One submission of the page: the first offered method whose field was sent decides */
export async function attemptSecondFactor(
  userId: number,
  form: Record<string, unknown>,
  ip: string,
  session: Session
): Promise<FactorAttempt> {
  const subject = failureSubject(userId, ip)
  try {
    /* counted before the check and given back on success, as for passwords */
    await hitRateLimit('login_failed', subject)
  } catch (error) {
    if (!(error instanceof TooManyRequests)) throw error
    return { failure: 'rate_limited', retryAfter: error.headers['Retry-After'] }
  }
  for (const method of await offeredMethods(userId)) {
    const answer = form[method.field]
    if (typeof answer !== 'string' || !answer.trim()) continue
    const proof = await method.verify(userId, answer.trim(), session)
    if (!proof) break
    await refundRateLimit('login_failed', subject)
    return { proof }
  }
  return { failure: 'incorrect' }
}
