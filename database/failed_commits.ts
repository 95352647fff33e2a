/**
 * A failed COMMIT must fail the transaction. knex (3.x) runs COMMIT through
 * `Transaction#query`, which catches its error, hands it only to the
 * transaction's execution promise and resolves `commit()`: Lucid awaits
 * `commit()`, so `db.transaction()` resolved although the server had rolled
 * everything back (a full SQLite disk, a MySQL connection lost at COMMIT), and
 * the app answered with codes and tokens that did not exist.
 *
 * This is the one place that works around it, for every connection: `commit()`
 * rejects with the COMMIT's error, and the rollback that Lucid then asks for is
 * skipped, since the transaction is over and its connection may already serve
 * another one. (Worth reporting upstream to knex.)
 */
import { createRequire } from 'node:module'

type KnexTransaction = {
  _rejecter: (error: unknown) => void
  isCompleted(): boolean
  commit(connection: unknown, value?: unknown): Promise<unknown>
  rollback(connection: unknown, error?: unknown): Promise<unknown>
}

const Transaction: { prototype: KnexTransaction } = createRequire(import.meta.url)(
  'knex/lib/execution/transaction.js'
)

const commit = Transaction.prototype.commit
Transaction.prototype.commit = async function (this: KnexTransaction, connection, value) {
  let failure: { error: unknown } | null = null
  const reject = this._rejecter
  this._rejecter = (error) => {
    failure = { error }
    reject(error)
  }
  const result = await commit.call(this, connection, value)
  if (failure) throw (failure as { error: unknown }).error
  return result
}

const rollback = Transaction.prototype.rollback
Transaction.prototype.rollback = function (this: KnexTransaction, connection, error) {
  if (this.isCompleted()) return Promise.resolve()
  return rollback.call(this, connection, error)
}
