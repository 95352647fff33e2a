/**
 * Pending verifications of email addresses (the email_confirmations table).
 * A link carries a random 256-bit key, a code is a mailed code
 * (mailed_codes.ts); only their SHA-256 digests are stored. A key is
 * good for 3 days, a code for 15 minutes and 3 tries; either is used once,
 * by deleting its row in the transaction that verifies the address, so of two
 * concurrent uses exactly one wins.
 */
import { DateTime, type DurationLike } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import EmailAddress from '#models/email_address'
import EmailConfirmation from '#models/email_confirmation'
import { sqlTime } from '#models/columns'
import { randomValue, sha256Hex } from '#services/oidc/protocol/random'
import { affectedRows, deleteInBatches } from '#database/statements'
import { newMailedCode, tryMailedCode } from '#services/accounts/codes/mailed_codes'

const TABLE = 'email_confirmations'
const KEY_LIFETIME = { days: 3 }
const CODE_LIFETIME = { minutes: 15 }

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
  const { code, digest } = newMailedCode()
  const id = await insertConfirmation(addressId, { codeDigest: digest }, CODE_LIFETIME, trx)
  return { id, code }
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

/** One try of a code (mailed_codes.ts); the right one verifies the address */
export async function confirmByCode(id: number, typed: string): Promise<CodeOutcome> {
  const tried = await tryMailedCode<{ id: number; email_address_id: number; code_digest: string }>(
    TABLE,
    id,
    typed
  )
  if (tried.outcome !== 'correct') return tried
  const address = await db.transaction((trx) => consume(tried.row, trx))
  return address ? { outcome: 'confirmed', address } : { outcome: 'dropped' }
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

/** For tokens:prune: confirmations past their expiry, which no link or code can use */
export function pruneEmailConfirmations(now: DateTime) {
  return deleteInBatches(TABLE, (query) => query.where('expires_at', '<', sqlTime(now)))
}
