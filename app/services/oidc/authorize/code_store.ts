/**
 * The one owner of `oidc_authorization_codes`. A code is stored hashed, and
 * consumed by a conditional update: of two concurrent redemptions exactly one
 * wins.
 */
import { type DateTime } from 'luxon'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import type { WriteTransaction } from '#database/statements'
import OidcAuthorizationCode from '#models/oidc_authorization_code'
import { sqlTime } from '#models/columns'
import { changeRows, deleteInBatches } from '#database/statements'
import type { Attributes } from '#database/rows'

const TABLE = 'oidc_authorization_codes'

export type NewAuthorizationCode = Omit<
  Required<Attributes<typeof OidcAuthorizationCode>>,
  'id' | 'createdAt' | 'consumedAt'
>

export async function storeAuthorizationCode(
  code: NewAuthorizationCode,
  trx: TransactionClientContract
) {
  await OidcAuthorizationCode.create({ ...code, consumedAt: null }, { client: trx })
}

export function findAuthorizationCode(hash: string) {
  return OidcAuthorizationCode.findBy('hash', hash)
}

/** false when the code was consumed already */
export async function consumeAuthorizationCode(id: number, trx: WriteTransaction) {
  const sql = `update ${TABLE} set consumed_at = ? where id = ? and consumed_at is null`
  return (await changeRows(sql, [sqlTime(), id], trx)) === 1
}

/** Codes stay a day past expiry, so that a late replay is still seen as reuse */
export function pruneAuthorizationCodes(now: DateTime) {
  return deleteInBatches(TABLE, (query) =>
    query.where('expires_at', '<', sqlTime(now.minus({ days: 1 })))
  )
}
