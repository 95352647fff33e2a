/**
 * Durable outboxes: work that must outlive the request that caused it (a
 * mail, a back-channel logout notice) is a row, written in that request's
 * transaction, so it is never lost when the process that answered dies.
 * Every app process delivers from the outbox tables (outbox_delivery.ts); a
 * row is claimed by one process at a time with a conditional update, and the
 * claim of a process that died runs out.
 *
 * Every outbox table has the columns `id`, `attempts`, `next_attempt_at`,
 * `claimed_until`, `last_error`, `failed_at` and `created_at` beside its own.
 */
import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import type { DatabaseQueryBuilderContract } from '@adonisjs/lucid/types/querybuilder'
import { sqlTime } from '#models/columns'
import { affectedRows, deleteInBatches } from '#database/statements'

/** How long a given-up row is kept for the operator before tokens:prune deletes it */
const GIVEN_UP_KEPT_DAYS = 30

export type OutboxRow = { id: number; attempts: number; [column: string]: unknown }

const later = (seconds: number) => sqlTime(DateTime.now().plus({ seconds }))

export class OutboxTable {
  #queuedListeners = new Set<() => void>()

  /**
   * `claimSeconds` is how long a claim holds: longer than one attempt can
   * take. `emptiedOnFailure` are the columns blanked when a row is given up
   * (they may hold links or tokens; the row stays for the operator).
   */
  constructor(
    readonly table: string,
    private claimSeconds: number,
    private emptiedOnFailure: Record<string, string> = {}
  ) {}

  /** Listeners told when a row was queued and committed (its delivery starts at once) */
  onQueued(listener: () => void) {
    this.#queuedListeners.add(listener)
    return () => this.#queuedListeners.delete(listener)
  }

  /** Queues rows; inside `trx` they exist only if that transaction commits */
  async queue(rows: Record<string, unknown>[], trx?: TransactionClientContract) {
    if (!rows.length) return
    const now = sqlTime()
    const queued = rows.map((row) => ({
      ...row,
      attempts: 0,
      next_attempt_at: now,
      created_at: now,
    }))
    const client = trx ?? db
    for (const row of queued) await client.table(this.table).insert(row)
    const announce = () => this.#queuedListeners.forEach((listener) => listener())
    if (trx) trx.after('commit', announce)
    else announce()
  }

  /** Due and not claimed by a live claim, as of `now` */
  #claimable(query: DatabaseQueryBuilderContract, now: string) {
    return query
      .whereNull('failed_at')
      .where('next_attempt_at', '<=', now)
      .where((unclaimed) => unclaimed.whereNull('claimed_until').orWhere('claimed_until', '<', now))
  }

  /** Claims up to `limit` due rows for this process; each is claimed by one process only */
  async claimDue(limit: number): Promise<OutboxRow[]> {
    const now = sqlTime()
    const candidates = await this.#claimable(db.from(this.table), now)
      .orderBy('id')
      .limit(limit)
      .select('id')
    const claimed: number[] = []
    for (const { id } of candidates) {
      const updated = await this.#claimable(db.from(this.table).where('id', id), now).update({
        claimed_until: later(this.claimSeconds),
        attempts: db.raw('attempts + 1'),
      })
      if (affectedRows(updated) === 1) claimed.push(id)
    }
    if (!claimed.length) return []
    const rows = await db.from(this.table).whereIn('id', claimed).orderBy('id')
    return rows.map((row) => ({ ...row, attempts: Number(row.attempts) }))
  }

  /** Delivered: nothing of it is kept */
  async forget(id: number) {
    await db.from(this.table).where('id', id).delete()
  }

  /** The attempt failed: try again after `retryInSeconds`, or give up when null */
  async recordFailedAttempt(id: number, error: string, retryInSeconds: number | null) {
    const lastError = error.slice(0, 500)
    await db
      .from(this.table)
      .where('id', id)
      .update(
        retryInSeconds === null
          ? {
              claimed_until: null,
              last_error: lastError,
              failed_at: sqlTime(),
              ...this.emptiedOnFailure,
            }
          : { claimed_until: null, last_error: lastError, next_attempt_at: later(retryInSeconds) }
      )
  }

  /** tokens:prune: rows given up more than GIVEN_UP_KEPT_DAYS ago */
  pruneGivenUp(now: DateTime) {
    return deleteInBatches(this.table, (query) =>
      query.where('failed_at', '<', sqlTime(now.minus({ days: GIVEN_UP_KEPT_DAYS })))
    )
  }
}
