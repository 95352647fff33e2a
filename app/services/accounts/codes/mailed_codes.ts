/**
 * The codes mailed to a person instead of a link (email verification and
 * password reset by code, allauth's `*_BY_CODE_ENABLED`): 8 letters of
 * allauth's alphabet, shown XXXX-XXXX, typed in any case with or without
 * spaces and dashes. Only the SHA-256 digest is stored, in a row with
 * `code_digest`, `failed_attempts` and `expires_at`; each code has 3 tries.
 */
import { randomInt } from 'node:crypto'
import db from '@adonisjs/lucid/services/db'
import { sqlTime } from '#models/columns'
import { affectedRows } from '#database/statements'
import { constantTimeEqual, sha256Hex } from '#services/oidc/protocol/random'

export const CODE_ATTEMPTS = 3
const CODE_ALPHABET = 'BCDFGHJKLMNPQRSTVWXZ'

/** What a person typed: case, spaces and dashes do not matter */
export const normalizeCode = (typed: string) => typed.toUpperCase().replace(/[\s-]/g, '')
export const displayCode = (code: string) => `${code.slice(0, 4)}-${code.slice(4)}`

/** A new code: what the mail shows, and what the row stores */
export function newMailedCode() {
  const code = Array.from({ length: 8 }, () => CODE_ALPHABET[randomInt(CODE_ALPHABET.length)])
  const letters = code.join('')
  return { code: displayCode(letters), digest: sha256Hex(letters) }
}

export type CodeTry<Row> =
  { outcome: 'correct'; row: Row } | { outcome: 'incorrect' } | { outcome: 'dropped' }

/**
 * One try of the code of row `id` in `table`. Every try is counted before
 * the code is compared, so concurrent guesses cannot go past the limit; after
 * the last wrong one the row is gone and even the right code no longer works.
 * The caller uses up a correct row itself (in the transaction of its effect).
 */
export async function tryMailedCode<Row extends { code_digest: string }>(
  table: string,
  id: number,
  typed: string
): Promise<CodeTry<Row>> {
  const counted = await db
    .from(table)
    .where('id', id)
    .whereNotNull('code_digest')
    .where('failed_attempts', '<', CODE_ATTEMPTS)
    .where('expires_at', '>', sqlTime())
    .update({ failed_attempts: db.raw('failed_attempts + 1') })
  if (affectedRows(counted) !== 1) return { outcome: 'dropped' }
  const row = await db.from(table).where('id', id).first()
  if (!row) return { outcome: 'dropped' }
  if (constantTimeEqual(sha256Hex(normalizeCode(typed)), row.code_digest))
    return { outcome: 'correct', row }
  if (Number(row.failed_attempts) >= CODE_ATTEMPTS) {
    await db.from(table).where('id', id).delete()
    return { outcome: 'dropped' }
  }
  return { outcome: 'incorrect' }
}
