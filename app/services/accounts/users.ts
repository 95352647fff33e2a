/**
 * Users and their email addresses as the admin commands manage them (data.md
 * §1–2). Addresses are stored lower-cased and are unique; a user has at most
 * one primary address, and changing it happens in one transaction. Every check
 * runs before the first write.
 */
import db from '@adonisjs/lucid/services/db'
import hash from '@adonisjs/core/services/hash'
import User from '#models/user'
import EmailAddress from '#models/email_address'
import { findUserByLogin } from '#services/accounts/credentials'

/** Bad account input; nothing was written */
export class AccountInputError extends Error {}

export type NewUser = {
  email: string
  password: string
  username?: string
  firstName?: string
  lastName?: string
  verified?: boolean
  isActive?: boolean
}

export type UserChanges = {
  password?: string
  firstName?: string
  lastName?: string
  isActive?: boolean
}

export type NewEmail = { email: string; verified?: boolean; primary?: boolean }

function fail(message: string): never {
  throw new AccountInputError(message)
}

const quote = (value: string) => JSON.stringify(value)

async function checkNewEmail(email: string) {
  const address = email.trim().toLowerCase()
  if (address.length > 254 || !/^[^\s@]+@[^\s@]+$/.test(address))
    fail(`${quote(email)} is not an email address`)
  if (await EmailAddress.findBy('email', address)) fail(`email ${quote(address)} is already in use`)
  return address
}

/** Logins match usernames case-insensitively, so uniqueness does too */
async function checkNewUsername(username: string) {
  if (!/^\S{1,150}$/.test(username)) fail('a username is 1 to 150 characters without spaces')
  if (await User.query().whereRaw('LOWER(username) = ?', [username.toLowerCase()]).first()) {
    fail(`username ${quote(username)} is already taken`)
  }
  return username
}

function checkName(label: string, value: string | undefined) {
  if (value !== undefined && value.length > 150) fail(`the ${label} is longer than 150 characters`)
  return value
}

async function hashPassword(password: string) {
  if (!password) fail('the password cannot be empty')
  return hash.make(password)
}

/** The user by username or any of its addresses (as at login) */
export async function findUser(login: string): Promise<User> {
  return (await findUserByLogin(login)) ?? fail(`no user ${quote(login)}`)
}

/** The user with its addresses loaded, primary first */
export async function loadUser(id: number): Promise<User> {
  return User.query()
    .where('id', id)
    .preload('emailAddresses', (query) => query.orderBy('primary', 'desc').orderBy('id'))
    .firstOrFail()
}

/** A user whose address is primary, and verified when asked */
export async function createUser(input: NewUser): Promise<User> {
  const email = await checkNewEmail(input.email)
  const username = input.username === undefined ? null : await checkNewUsername(input.username)
  const firstName = checkName('first name', input.firstName) ?? ''
  const lastName = checkName('last name', input.lastName) ?? ''
  const password = await hashPassword(input.password)
  const id = await db.transaction(async (trx) => {
    const user = await User.create(
      { username, password, firstName, lastName, isActive: input.isActive ?? true, profile: null },
      { client: trx }
    )
    await EmailAddress.create(
      { userId: user.id, email, verified: input.verified ?? false, primary: true },
      { client: trx }
    )
    return user.id
  })
  return loadUser(id)
}

export async function updateUser(login: string, changes: UserChanges): Promise<User> {
  const user = await findUser(login)
  const firstName = checkName('first name', changes.firstName)
  const lastName = checkName('last name', changes.lastName)
  const password = changes.password === undefined ? undefined : await hashPassword(changes.password)
  if (firstName !== undefined) user.firstName = firstName
  if (lastName !== undefined) user.lastName = lastName
  if (password !== undefined) user.password = password
  if (changes.isActive !== undefined) user.isActive = changes.isActive
  await user.save()
  return loadUser(user.id)
}

/** Adds an address; a primary one takes over from the user's current primary */
export async function addEmail(login: string, input: NewEmail): Promise<User> {
  const user = await findUser(login)
  const email = await checkNewEmail(input.email)
  await db.transaction(async (trx) => {
    if (input.primary)
      await EmailAddress.query({ client: trx }).where('user_id', user.id).update({ primary: false })
    await EmailAddress.create(
      {
        userId: user.id,
        email,
        verified: input.verified ?? false,
        primary: input.primary ?? false,
      },
      { client: trx }
    )
  })
  return loadUser(user.id)
}
