/**
 * Password resets by code (ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED): a mailed
 * code (mailed_codes.ts) good for 3 minutes and 3 tries. The right code marks
 * its row verified and leaves 10 minutes to choose the password; setting it
 * (new_password.ts) deletes every reset code of the account, so a code works
 * once. A new request replaces the account's earlier codes.
 */
import { DateTime } from 'luxon'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import db from '@adonisjs/lucid/services/db'
import PasswordResetCode from '#models/password_reset_code'
import User from '#models/user'
import { sqlTime } from '#models/columns'
import { deleteInBatches } from '#database/statements'
import { newMailedCode, tryMailedCode, type CodeTry } from '#services/accounts/codes/mailed_codes'

const TABLE = 'password_reset_codes'
const CODE_LIFETIME = { minutes: 3 }
const SET_PASSWORD_WITHIN = { minutes: 10 }

export async function createResetCode(userId: number, trx: TransactionClientContract) {
  await trx.from(TABLE).where('user_id', userId).delete()
  const { code, digest } = newMailedCode()
  const row = await PasswordResetCode.create(
    {
      userId,
      codeDigest: digest,
      failedAttempts: 0,
      verifiedAt: null,
      expiresAt: DateTime.now().plus(CODE_LIFETIME),
    },
    { client: trx }
  )
  return { id: row.id, code }
}

type ResetCodeRow = { id: number; user_id: number; code_digest: string }

/** One try of the code; the right one opens the password form for 10 minutes */
export async function tryResetCode(id: number, typed: string): Promise<CodeTry<ResetCodeRow>> {
  const tried = await tryMailedCode<ResetCodeRow>(TABLE, id, typed)
  if (tried.outcome === 'correct')
    await db
      .from(TABLE)
      .where('id', id)
      .update({
        verified_at: sqlTime(),
        expires_at: sqlTime(DateTime.now().plus(SET_PASSWORD_WITHIN)),
      })
  return tried
}

/** The active user whose code `id` was typed right and has not expired or been used */
export async function userOfVerifiedCode(id: number): Promise<User | null> {
  const row = await db
    .from(TABLE)
    .where('id', id)
    .whereNotNull('verified_at')
    .where('expires_at', '>', sqlTime())
    .first()
  const user = row ? await User.find(row.user_id) : null
  return user?.isActive ? user : null
}

/** For tokens:prune */
export function pruneResetCodes(now: DateTime) {
  return deleteInBatches(TABLE, (query) => query.where('expires_at', '<', sqlTime(now)))
}
