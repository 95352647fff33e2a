/**
 * Pending verifications of email addresses (the email_confirmations table).
 * A link carries a random 256-bit key, a code is 8 letters (allauth's
 * alphabet, shown XXXX-XXXX); only their SHA-256 digests are stored. A key is
 * good for 3 days, a code for 15 minutes and 3 tries; either is used once,
 * by deleting its row in the transaction that verifies the address, so of two
 * concurrent uses exactly one wins.
 */
import { randomInt } from 'node:crypto'
import { DateTime, type DurationLike } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import EmailAddress from '#models/email_address'
import EmailConfirmation from '#models/email_confirmation'
import { sqlTime } from '#models/columns'
import { constantTimeEqual, randomValue, sha256Hex } from '#services/oidc/protocol/random'
import { affectedRows } from '#database/statements'

const TABLE = 'email_confirmations'
const KEY_LIFETIME = { days: 3 }
const CODE_LIFETIME = { minutes: 15 }
export const CODE_ATTEMPTS = 3
const CODE_ALPHABET = 'BCDFGHJKLMNPQRSTVWXZ'

/** What a person typed: case, spaces and dashes do not matter */
export const normalizeCode = (typed: string) => typed.toUpperCase().replace(/[\s-]/g, '')
export const displayCode = (code: string) => `${code.slice(0, 4)}-${code.slice(4)}`

async function insertConfirmation(
  addressId: number,
  secret: { keyDigest: string } | { codeDigest: string },
  lifetime: DurationLike,
  trx: TransactionClientContract
) {
  const confirmation = await EmailConfirmation.create(
    {
      emailAddressId: addressId,
      ...secret,
      failedAttempts: 0,
      expiresAt: DateTime.now().plus(lifetime),
    },
    { client: trx }
  )
  return confirmation.id
}

/** A new link key for the address */
export async function createConfirmationKey(addressId: number, trx: TransactionClientContract) {
  const key = randomValue(32)
  await insertConfirmation(addressId, { keyDigest: sha256Hex(key) }, KEY_LIFETIME, trx)
  return key
}

/** A new code for the address; the session keeps the id, the mail the code */
export async function createConfirmationCode(addressId: number, trx: TransactionClientContract) {
  const letters = Array.from({ length: 8 }, () => CODE_ALPHABET[randomInt(CODE_ALPHABET.length)])
  const code = letters.join('')
  const id = await insertConfirmation(
    addressId,
    { codeDigest: sha256Hex(code) },
    CODE_LIFETIME,
    trx
  )
  return { id, code: displayCode(code) }
}

const unexpired = () => ['expires_at', '>', sqlTime()] as const

/** The address a live key would confirm, without using the key */
export async function addressOfKey(key: string): Promise<EmailAddress | null> {
  const row = await db
    .from(TABLE)
    .where('key_digest', sha256Hex(key))
    .where(...unexpired())
    .first()
  return row ? EmailAddress.find(row.email_address_id) : null
}

/** Verifies the address of a live key and uses the key up; null when it is unknown, used or expired */
export async function confirmByKey(key: string): Promise<EmailAddress | null> {
  return db.transaction(async (trx) => {
    const row = await trx
      .from(TABLE)
      .where('key_digest', sha256Hex(key))
      .where(...unexpired())
      .first()
    if (!row) return null
    return consume(row, trx)
  })
}

export type CodeOutcome =
  | { outcome: 'confirmed'; address: EmailAddress }
  | { outcome: 'incorrect' }
  | { outcome: 'dropped' }

/**
 * One try of a code. Every try is counted before the code is compared, so
 * concurrent guesses cannot go past the limit; after the last wrong one the
 * confirmation is gone and even the right code no longer works.
 */
export async function confirmByCode(id: number, typed: string): Promise<CodeOutcome> {
  const counted = await db
    .from(TABLE)
    .where('id', id)
    .whereNotNull('code_digest')
    .where('failed_attempts', '<', CODE_ATTEMPTS)
    .where(...unexpired())
    .update({ failed_attempts: db.raw('failed_attempts + 1') })
  if (affectedRows(counted) !== 1) return { outcome: 'dropped' }
  const row = await db.from(TABLE).where('id', id).first()
  if (!row) return { outcome: 'dropped' }
  if (constantTimeEqual(sha256Hex(normalizeCode(typed)), row.code_digest)) {
    const address = await db.transaction((trx) => consume(row, trx))
    return address ? { outcome: 'confirmed', address } : { outcome: 'dropped' }
  }
  if (Number(row.failed_attempts) >= CODE_ATTEMPTS) {
    await db.from(TABLE).where('id', id).delete()
    return { outcome: 'dropped' }
  }
  return { outcome: 'incorrect' }
}

/** Deletes the confirmation (the one use) and verifies its address */
async function consume(
  row: { id: number; email_address_id: number },
  trx: TransactionClientContract
) {
  const deleted = await trx.from(TABLE).where('id', row.id).delete()
  if (affectedRows(deleted) !== 1) return null
  const address = await EmailAddress.find(row.email_address_id, { client: trx })
  if (!address) return null
  return markVerified(address, trx)
}

/** Verified, and primary when the user has no primary address; other pending confirmations of it end */
export async function markVerified(address: EmailAddress, trx: TransactionClientContract) {
  const primary = await EmailAddress.query({ client: trx })
    .where('user_id', address.userId)
    .where('primary', true)
    .first()
  address.useTransaction(trx)
  address.verified = true
  if (!primary) address.primary = true
  await address.save()
  await trx.from(TABLE).where('email_address_id', address.id).delete()
  return address
}
