/**
 * What a browser in the middle of a password reset keeps in its session:
 * the request (the address, the code row to check in code mode, none for a
 * request that only pretended, and where the person was going, so that a
 * reset started from an OIDC sign-in goes back to it), and in link mode the
 * key taken from the mailed link (allauth moves it out of the URL). Secrets
 * and tries stay in the database or in the key itself.
 */
import type { Session } from '@adonisjs/session'

const REQUEST = 'account_password_reset'
const KEY = 'account_password_reset_key'
/** Flashed when a reset by code set the password: the "done" page then says so */
export const RESET_COMPLETE = 'password_reset_complete'

export type ResetRequest = {
  email: string
  /** Code mode: the code row; null when the request only pretended */
  codeId: number | null
  next: string
  /** Tries of a pretended code, which no code can pass */
  pretendTries?: number
}

export function rememberResetRequest(session: Session, request: ResetRequest) {
  session.put(REQUEST, request)
}

export function resetRequest(session: Session): ResetRequest | null {
  const request = session.get(REQUEST)
  return request && typeof request.email === 'string' ? (request as ResetRequest) : null
}

export function forgetResetRequest(session: Session) {
  session.forget(REQUEST)
}

export function rememberResetKey(session: Session, uid: string, key: string) {
  session.put(KEY, { uid, key })
}

/** The key a link of the account `uid` left in this session */
export function resetKeyOf(session: Session, uid: string): string | null {
  const stored = session.get(KEY)
  return stored?.uid === uid && typeof stored.key === 'string' ? stored.key : null
}

export function forgetResetKey(session: Session) {
  session.forget(KEY)
}
