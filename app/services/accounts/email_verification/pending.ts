/**
 * The verification a browser is in the middle of, kept in its session: which
 * address, whose (none for a sign-up that only pretended, to hide that the
 * address has an account), the confirmation a typed code is checked against,
 * and where the person was going. Secrets and try counts stay in the
 * database (confirmations.ts), so a replayed session cookie gains nothing.
 */
import type { Session } from '@adonisjs/session'

const KEY = 'account_verification'

export type PendingVerification = {
  email: string
  userId: number | null
  confirmationId: number | null
  /** Where to go once verified */
  next: string
  /** Verifying signs the person in (a sign-up or a sign-in held back by mandatory verification) */
  signIn: boolean
  /** Tries of a pretended verification, which no code can pass */
  pretendTries?: number
}

export function rememberPendingVerification(session: Session, pending: PendingVerification) {
  session.put(KEY, pending)
}

export function pendingVerification(session: Session): PendingVerification | null {
  const pending = session.get(KEY)
  return pending && typeof pending.email === 'string' ? (pending as PendingVerification) : null
}

export function forgetPendingVerification(session: Session) {
  session.forget(KEY)
}
