/**
 * Sensitive account actions ask for the password again unless the person
 * authenticated within ACCOUNT_REAUTHENTICATION_TIMEOUT seconds (allauth's
 * reauthentication). The time that counts is the session's `auth_time`: the
 * sign-in, or the last reauthentication, which moves it forward.
 */
import accountsConfig from '#config/accounts'
import { ACCOUNT_PATHS } from '#services/accounts/paths'

export function isRecentAuthentication(authTime: number, now = Date.now() / 1000) {
  return now - authTime <= accountsConfig.reauthenticationTimeout
}

/** Where a stale session is sent before `next` (a same-site path) */
export const reauthenticationPath = (next: string) =>
  `${ACCOUNT_PATHS.reauthenticate}?${new URLSearchParams({ next })}`
