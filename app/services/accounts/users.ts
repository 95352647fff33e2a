/**
 * Users and their email addresses as the admin commands manage them (docs/data-model.md#users-and-email-addresses). Addresses are stored lower-cased and are unique; a user has at most
 * one primary address, and changing it happens in one transaction. Every check
 * runs before the first write.
 */
import db from '@adonisjs/lucid/services/db'
import type { DateTime } from 'luxon'
import User from '#models/user'
import EmailAddress from '#models/email_address'
import { findUserByLogin } from '#services/accounts/credentials'
import { LOGIN_METHODS } from '#start/account_settings'
import { hashPassword, isStorablePasswordHash } from '#services/accounts/passwords/stored_passwords'
import { followInsertedIds } from '#database/id_sequences'
import { endUserSessions } from '#services/accounts/user_sessions'
import { passwordLengthProblem } from '#services/accounts/passwords/validation'
import { signOutEverywhere, type SignedOutEverywhere } from '#services/accounts/sign_out'
import type { OidcAdapter } from '#services/oidc/adapter/adapter'
import { translator } from '#services/i18n/locale'

/** Bad account input; nothing was written */
export class AccountInputError extends Error {}

export type NewUser = {
  /** Required unless there is a username */
  email?: string
  /** A password, or `passwordHash`: a stored value kept as given (a Django hash from allauth, or `!` for none) */
  password?: string
  passwordHash?: string
  /** The id to keep (a user brought over from allauth keeps its `sub`) */
  id?: number
  username?: string
  firstName?: string
  lastName?: string
  verified?: boolean
  isActive?: boolean
  isStaff?: boolean
}

export type UserChanges = {
  password?: string
  firstName?: string
  lastName?: string
  isActive?: boolean
  isStaff?: boolean
}

export type NewEmail = { email: string; verified?: boolean; primary?: boolean }

function fail(message: string): never {
  throw new AccountInputError(message)
}

const quote = (value: string) => JSON.stringify(value)

const usernameTaken = async (login: string) =>
  !!(await User.query().whereRaw('LOWER(username) = ?', [login.toLowerCase()]).first())

/** A login names one account: an address may not be another account's username, nor the reverse */
async function checkNewEmail(email: string) {
  const address = email.trim().toLowerCase()
  if (address.length > 254 || !/^[^\s@]+@[^\s@]+$/.test(address))
    fail(`${quote(email)} is not an email address`)
  if ((await EmailAddress.findBy('email', address)) || (await usernameTaken(address)))
    fail(`email ${quote(address)} is already in use`)
  return address
}

/**
 * Characters that let one username pass for another: anything but letters,
 * digits and `.@+-_` (Django's username characters), a form that Unicode
 * normalisation (NFKC) would change (full-width letters, ligatures), or
 * Latin letters mixed with letters of another script (a Cyrillic `а` in `admin`).
 */
function confusable(username: string) {
  if (!/^[\p{L}\p{N}.@+\-_]+$/u.test(username) || username.normalize('NFKC') !== username)
    return true
  const letters = [...username].filter((char) => /\p{L}/u.test(char))
  const latin = letters.filter((char) => /\p{Script=Latin}/u.test(char)).length
  return latin > 0 && latin < letters.length
}

/** Logins match usernames case-insensitively, so uniqueness does too */
async function checkNewUsername(username: string) {
  if (!/^\S{1,150}$/.test(username)) fail('a username is 1 to 150 characters without spaces')
  if (confusable(username))
    fail(
      `username ${quote(username)} has characters that can pass for others; use letters of one script, digits and .@+-_`
    )
  if (
    (await usernameTaken(username)) ||
    (await EmailAddress.findBy('email', username.toLowerCase()))
  ) {
    fail(`username ${quote(username)} is already taken`)
  }
  return username
}

function checkName(label: string, value: string | undefined) {
  if (value !== undefined && value.length > 150) fail(`the ${label} is longer than 150 characters`)
  return value
}

/** Operators set passwords too: they pass ACCOUNT_PASSWORD_MIN_LENGTH like sign-up's */
async function checkedPasswordHash(password: string) {
  if (!password) fail('the password cannot be empty')
  const tooShort = passwordLengthProblem(password)
  /* operators read commands in English */
  if (tooShort) fail(translator('en').t(tooShort.key, tooShort.values))
  return hashPassword(password)
}

/** What `password` or `passwordHash` stores */
async function storedPassword(input: NewUser) {
  if (input.password !== undefined && input.passwordHash !== undefined)
    fail('give a password or a password hash, not both')
  if (input.passwordHash === undefined) {
    if (input.password === undefined) fail('a password or a password hash is required')
    return checkedPasswordHash(input.password)
  }
  if (!isStorablePasswordHash(input.passwordHash)) {
    fail(
      'the password hash must be a Django hash (pbkdf2_sha256$…, pbkdf2_sha1$…, argon2$…, bcrypt_sha256$…, bcrypt$…, scrypt$…), one of ours, or ! for none'
    )
  }
  return input.passwordHash
}

async function checkNewId(id: number | undefined) {
  if (id === undefined) return undefined
  if (!Number.isSafeInteger(id) || id < 1 || id > 2147483647)
    fail('a user id is a whole number from 1 to 2147483647')
  if (await User.find(id)) fail(`a user with id ${id} exists already`)
  return id
}

/**
 * The user by username or any of its addresses (as at login), or by id: a
 * number names the user with that id unless it is someone's username.
 */
export async function findUser(login: string): Promise<User> {
  const byLogin = await findUserByLogin(login, LOGIN_METHODS)
  if (byLogin) return byLogin
  const id = /^\d{1,10}$/.test(login.trim()) ? Number(login.trim()) : null
  return (id && (await User.find(id))) || fail(`no user ${quote(login)}`)
}

export type UserSummary = {
  id: number
  username: string | null
  email: string | null
  emailVerified: boolean | null
  isActive: boolean
  isStaff: boolean
  lastLoginAt: DateTime | null
}

/* `!` escapes LIKE's wildcards the same way on every dialect */
const likePattern = (text: string) => `%${text.toLowerCase().replace(/[!%_]/g, '!$&')}%`

/**
 * user:list: every user, by id, with the primary address; `search` keeps
 * those whose username, names or any address contain it (case-insensitive).
 */
export async function listUsers(search?: string): Promise<UserSummary[]> {
  const query = User.query()
    .preload('emailAddresses', (addresses) => addresses.where('primary', true))
    .orderBy('id')
  const text = search?.trim()
  if (text) {
    const pattern = likePattern(text)
    query.where((matching) =>
      matching
        .whereRaw("LOWER(username) LIKE ? ESCAPE '!'", [pattern])
        .orWhereRaw("LOWER(first_name) LIKE ? ESCAPE '!'", [pattern])
        .orWhereRaw("LOWER(last_name) LIKE ? ESCAPE '!'", [pattern])
        .orWhereIn(
          'id',
          EmailAddress.query().select('user_id').whereRaw("email LIKE ? ESCAPE '!'", [pattern])
        )
    )
  }
  const users = await query
  return users.map((user) => {
    const primary = user.emailAddresses[0] ?? null
    return {
      id: user.id,
      username: user.username,
      email: primary?.email ?? null,
      emailVerified: primary ? primary.verified : null,
      isActive: user.isActive,
      isStaff: user.isStaff,
      lastLoginAt: user.lastLoginAt,
    }
  })
}

/**
 * user:delete: signs the user out everywhere (their clients hear of it by
 * back-channel logout), then deletes the user. The foreign keys cascade, so
 * the one statement takes the addresses, confirmations, sessions, consents,
 * codes, device codes and tokens with it, all or nothing.
 */
export async function deleteUser(
  adapter: OidcAdapter,
  userId: number
): Promise<SignedOutEverywhere> {
  const signedOut = await signOutEverywhere(adapter, userId)
  await User.query().where('id', userId).delete()
  return signedOut
}

/** The user with its addresses loaded, primary first */
export async function loadUser(id: number): Promise<User> {
  return User.query()
    .where('id', id)
    .preload('emailAddresses', (query) => query.orderBy('primary', 'desc').orderBy('id'))
    .firstOrFail()
}

/** A user whose address, if given, is primary, and verified when asked */
export async function createUser(input: NewUser): Promise<User> {
  if (input.email === undefined && input.username === undefined)
    fail('a user needs an email address or a username to sign in with')
  const email = input.email === undefined ? null : await checkNewEmail(input.email)
  const username = input.username === undefined ? null : await checkNewUsername(input.username)
  const firstName = checkName('first name', input.firstName) ?? ''
  const lastName = checkName('last name', input.lastName) ?? ''
  const givenId = await checkNewId(input.id)
  const password = await storedPassword(input)
  const id = await db.transaction(async (trx) => {
    const user = await User.create(
      {
        ...(givenId === undefined ? {} : { id: givenId }),
        username,
        password,
        firstName,
        lastName,
        isActive: input.isActive ?? true,
        isStaff: input.isStaff ?? false,
        isSuperuser: false,
        profile: null,
      },
      { client: trx }
    )
    if (givenId !== undefined) await followInsertedIds('users', trx)
    if (email) {
      await EmailAddress.create(
        { userId: user.id, email, verified: input.verified ?? false, primary: true },
        { client: trx }
      )
    }
    return user.id
  })
  return loadUser(id)
}

export async function updateUser(login: string, changes: UserChanges): Promise<User> {
  return changeUser(await findUser(login), changes)
}

/** Changes a user found already (by login above, by id in the admin console) */
export async function changeUser(user: User, changes: UserChanges): Promise<User> {
  const firstName = checkName('first name', changes.firstName)
  const lastName = checkName('last name', changes.lastName)
  const password =
    changes.password === undefined ? undefined : await checkedPasswordHash(changes.password)
  if (firstName !== undefined) user.firstName = firstName
  if (lastName !== undefined) user.lastName = lastName
  if (password !== undefined) user.password = password
  if (changes.isActive !== undefined) user.isActive = changes.isActive
  if (changes.isStaff !== undefined) user.isStaff = changes.isStaff
  await user.save()
  /* a new password or a deactivation signs the user out everywhere */
  if (password !== undefined || changes.isActive === false) await endUserSessions(user.id)
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
