/**
 * The key of a password reset link (`/accounts/password/reset/key/<uidb36>-<key>/`),
 * with the semantics of Django's PasswordResetTokenGenerator: no row is
 * stored; the key is `<timestamp>-<HMAC>`, the HMAC (SHA-256, keyed with
 * APP_KEY) covering the user id, the stored password hash, the last sign-in
 * time and the primary address. So a key expires after 3 days, and dies once
 * the password is set with it (single use), once the password changes by any
 * way, once the user signs in, or once the primary address changes.
 */
import { createHmac } from 'node:crypto'
import accountsConfig from '#config/accounts'
import EmailAddress from '#models/email_address'
import User from '#models/user'
import { constantTimeEqual } from '#services/oidc/protocol/random'

export const RESET_KEY_LIFETIME_SECONDS = 3 * 24 * 3600
const PURPOSE = 'password-reset-key'

export const uidb36 = (userId: number) => userId.toString(36)

/** The user id of a `<uidb36>` part, or null */
export function userIdOf(value: string): number | null {
  if (!/^[0-9a-z]{1,7}$/.test(value)) return null
  const id = Number.parseInt(value, 36)
  return Number.isSafeInteger(id) && id > 0 && id <= 2147483647 ? id : null
}

async function accountState(user: User) {
  const primary = await EmailAddress.query()
    .where('user_id', user.id)
    .where('primary', true)
    .first()
  const lastLogin = user.lastLoginAt ? Math.floor(user.lastLoginAt.toSeconds()) : ''
  return [user.id, user.password, lastLogin, primary?.email ?? ''].join('\n')
}

async function signature(user: User, timestamp: string) {
  return createHmac('sha256', accountsConfig.resetKeySecret.release())
    .update(`${PURPOSE}\n${await accountState(user)}\n${timestamp}`)
    .digest('hex')
    .slice(0, 32)
}

/** A key for `user`, good until it expires or the account changes */
export async function makeResetKey(user: User, now = Date.now()) {
  const timestamp = Math.floor(now / 1000).toString(36)
  return `${timestamp}-${await signature(user, timestamp)}`
}

/** The active user a `<uidb36>` and key name, while the key holds; null otherwise */
export async function userOfResetKey(uid: string, key: string, now = Date.now()) {
  const userId = userIdOf(uid)
  const match = /^([0-9a-z]{1,10})-([0-9a-f]{32})$/.exec(key)
  if (userId === null || !match) return null
  const issued = Number.parseInt(match[1], 36)
  const age = now / 1000 - issued
  /* a minute of leeway for another process's clock */
  if (!(age >= -60 && age <= RESET_KEY_LIFETIME_SECONDS)) return null
  const user = await User.find(userId)
  if (!user?.isActive) return null
  return constantTimeEqual(await signature(user, match[1]), match[2]) ? user : null
}
