/**
 * The step the authorization-code, refresh-token and device-code grants
 * share: a grant source (a code, a refresh token, an approved device code) is
 * redeemed at most once.
 *
 * 1. `prepare` runs first, outside any transaction: it signs JWTs and calls
 *    the adapter, which read the database, and SQLite has a single
 *    connection that an open transaction would hold. Nothing is written yet,
 *    so a failure there leaves the source unspent.
 * 2. One transaction then spends the source with a conditional update
 *    (`consume`): of two concurrent redemptions exactly one wins.
 * 3. In the same transaction the winner writes what `prepare` made (`store`).
 *
 * On SQLite the transaction runs on the pool's connection without knex, and
 * shares its commit with the redemptions of the same turn (inSqliteTransaction):
 * knex's transaction cost most of a refresh.
 */
import db from '@adonisjs/lucid/services/db'
import { isSqlite, type WriteTransaction } from '#database/statements'
import { inSqliteTransaction } from '#database/sqlite_pool'

export type Redemption<Prepared> = {
  prepare(): Promise<Prepared>
  consume(trx: WriteTransaction): Promise<boolean>
  store(prepared: Prepared, trx: WriteTransaction): Promise<void>
}

/** What `prepare` made, once the source is spent and it is stored; null when the source was spent already */
export async function redeemOnce<Prepared>(
  redemption: Redemption<Prepared>
): Promise<{ prepared: Prepared } | null> {
  const prepared = await redemption.prepare()
  const redeem = async (trx: WriteTransaction) => {
    if (!(await redemption.consume(trx))) return null
    await redemption.store(prepared, trx)
    return { prepared }
  }
  return isSqlite() ? inSqliteTransaction(redeem) : db.transaction(redeem)
}
