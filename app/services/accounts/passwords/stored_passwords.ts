/**
 * Stored passwords (`users.password`): our own hasher's values (scrypt, PHC
 * format), Django hashes brought over from allauth, or `!` for a user without
 * a password. One function decides which hasher checks a stored value, so
 * sign-in and any later password form share it. A Django hash is rewritten
 * with our hasher after its first successful check.
 */
import hash from '@adonisjs/core/services/hash'
import db from '@adonisjs/lucid/services/db'
import { djangoAlgorithm, verifyDjangoHash } from '#services/accounts/passwords/django_hashers'

/** A user without a password (Django's unusable passwords start with the same `!`); never matches */
export const NO_PASSWORD = '!'

export function hasUsablePassword(stored: string) {
  return !stored.startsWith('!')
}

/** What a stored value may be: ours, a Django hash we verify, or no password */
export function isStorablePasswordHash(stored: string) {
  return stored === NO_PASSWORD || djangoAlgorithm(stored) !== null || hash.isValidHash(stored)
}

let dummyHash: string | null = null

/** Costs one hash like a real check, so that timing does not tell which accounts exist or have a password */
export async function spendOneHash(password: string) {
  dummyHash ??= await hash.make('not-a-password')
  await hash.verify(dummyHash, password)
}

export type PasswordCheck = { matches: boolean; needsRehash: boolean }

/** Whether `password` matches the stored value, and whether a match should be rehashed with our hasher */
export async function checkPassword(stored: string, password: string): Promise<PasswordCheck> {
  if (!hasUsablePassword(stored)) {
    await spendOneHash(password)
    return { matches: false, needsRehash: false }
  }
  if (djangoAlgorithm(stored) !== null) {
    return { matches: await verifyDjangoHash(stored, password), needsRehash: true }
  }
  const matches = hash.isValidHash(stored) && (await hash.verify(stored, password))
  return { matches, needsRehash: matches && hash.needsReHash(stored) }
}

export function hashPassword(password: string) {
  return hash.make(password)
}

/**
 * Stores the password, just checked against `stored`, with our hasher. The
 * update applies only while the column still holds `stored`: of two sign-ins
 * racing, one rewrites it and the other changes nothing, and a password
 * changed meanwhile is never overwritten. `updated_at` stays: it is a profile
 * claim.
 */
export async function rehashPassword(userId: number, stored: string, password: string) {
  await db
    .from('users')
    .where('id', userId)
    .where('password', stored)
    .update({ password: await hashPassword(password) })
}
