import accountsConfig from '#config/accounts'
import EmailAddress from '#models/email_address'
import type User from '#models/user'

/**
 * Under ACCOUNT_EMAIL_VERIFICATION=mandatory, the address a sign-in must
 * verify before it goes through (allauth's rule): the address typed as the
 * login when it is unverified; for a username, the primary address when the
 * user has no verified one. Null when the sign-in may go through.
 */
export async function addressToVerify(user: User, login: string): Promise<EmailAddress | null> {
  if (accountsConfig.emailVerification !== 'mandatory') return null
  const addresses = await EmailAddress.query()
    .where('user_id', user.id)
    .orderBy('primary', 'desc')
    .orderBy('id')
  const typed = addresses.find((address) => address.email === login.trim().toLowerCase())
  if (typed) return typed.verified ? null : typed
  if (addresses.some((address) => address.verified)) return null
  return addresses[0] ?? null
}
