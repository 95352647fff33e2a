/**
 * Sign-in by username (case-insensitive) or any email address of the user
 * (docs/endpoints.md#account-pages), under the `login` and `login_failed` rate limits
 * (docs/settings.md#rate-limits). A missing user still costs one password hash, so the
 * response time does not tell whether an account exists.
 */
import User from '#models/user'
import EmailAddress from '#models/email_address'
import accountsConfig from '#config/accounts'
import type { LoginMethod } from '#start/account_settings'
import { TooManyRequests } from '#services/oidc/protocol/errors'
import { hitRateLimit, refundRateLimit } from '#services/rate_limits/rate_limits'
import {
  checkPassword,
  rehashPassword,
  spendOneHash,
} from '#services/accounts/passwords/stored_passwords'
import { isStorableText } from '#database/storable_text'
import { message, type Message } from '#services/i18n/message'

/** How logins are compared */
const normalize = (login: string) => login.trim().toLowerCase()

/** `methods`: what the login may be; the sign-in page allows ACCOUNT_LOGIN_METHODS */
export async function findUserByLogin(
  login: string,
  methods: readonly LoginMethod[] = accountsConfig.loginMethods
): Promise<User | null> {
  const value = normalize(login)
  if (!value || !isStorableText(value)) return null
  if (value.includes('@') && methods.includes('email')) {
    const address = await EmailAddress.findBy('email', value)
    if (address) return User.find(address.userId)
  }
  if (!methods.includes('username')) return null
  return User.query().whereRaw('LOWER(username) = ?', [value]).first()
}

/** What the person signs in with, to show them: the username, else the primary address */
export async function loginName(user: User): Promise<string> {
  if (user.username) return user.username
  const address = await EmailAddress.query()
    .where('user_id', user.id)
    .orderBy('primary', 'desc')
    .orderBy('id')
    .first()
  return address?.email ?? `#${user.id}`
}

/**
 * The user when the password matches, active or not; a missing user costs a
 * hash all the same. A password stored by another hasher (a Django hash
 * brought over from allauth) is rewritten with ours once it matched.
 */
export async function passwordMatches(user: User | null, password: string): Promise<User | null> {
  if (!user) {
    await spendOneHash(password)
    return null
  }
  const { matches, needsRehash } = await checkPassword(user.password, password)
  if (!matches) return null
  if (needsRehash) await rehashPassword(user.id, user.password, password)
  return user
}

/**
 * A refusal names the account the login designates, if any (for the audit
 * event), never what was typed
 */
export type LoginAttempt =
  | { user: User }
  | { failure: 'bad_credentials' | 'inactive'; message: Message; userId: number | null }
  | { failure: 'rate_limited'; message: Message; retryAfter: string; userId: number | null }

/** One login form submission: the active user it signs in, or why not */
export async function attemptLogin(
  login: string,
  password: string,
  ip: string
): Promise<LoginAttempt> {
  const account = await findUserByLogin(login)
  /* failures count per account, whichever of its identifiers was typed */
  const subject = {
    ip,
    user: account?.id,
    key: account ? `user ${account.id}` : `login ${normalize(login)}`,
  }
  try {
    await hitRateLimit('login', { ip })
    /*
     * Counted as failed before the password is checked and given back if it
     * matches: checking first and counting after would let concurrent guesses
     * all pass the check before any of them was counted.
     */
    await hitRateLimit('login_failed', subject)
  } catch (error) {
    if (!(error instanceof TooManyRequests)) throw error
    return {
      failure: 'rate_limited',
      message: message('accounts.login.errors.rate_limited'),
      retryAfter: error.headers['Retry-After'],
      userId: account?.id ?? null,
    }
  }

  const user = await passwordMatches(account, password)
  if (!user)
    return {
      failure: 'bad_credentials',
      message: message('accounts.login.errors.bad_credentials'),
      userId: account?.id ?? null,
    }
  await refundRateLimit('login_failed', subject)
  if (!user.isActive)
    return {
      failure: 'inactive',
      message: message('accounts.login.errors.inactive'),
      userId: user.id,
    }
  return { user }
}
