/**
 * Sign-in by username (case-insensitive) or any email address of the user
 * (interfaces.md, Login). A missing user still costs one password hash, so the
 * response time does not tell whether an account exists.
 */
import hash from '@adonisjs/core/services/hash'
import User from '#models/user'
import EmailAddress from '#models/email_address'

let dummyHash: string | null = null

export async function findUserByLogin(login: string): Promise<User | null> {
  const value = login.trim().toLowerCase()
  if (!value) return null
  if (value.includes('@')) {
    const address = await EmailAddress.findBy('email', value)
    if (address) return User.find(address.userId)
  }
  return User.query().whereRaw('LOWER(username) = ?', [value]).first()
}

/** The user whose password matches, active or not; null otherwise */
export async function verifyCredentials(login: string, password: string): Promise<User | null> {
  const user = await findUserByLogin(login)
  if (!user) {
    dummyHash ??= await hash.make('not-a-password')
    await hash.verify(dummyHash, password)
    return null
  }
  return (await hash.verify(user.password, password)) ? user : null
}
