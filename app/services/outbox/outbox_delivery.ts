/**
 * Delivers one outbox (outbox_table.ts) from every app process: at once when
 * this process queued a row, and every second for rows queued by others or
 * left by a process that died. A failed attempt is retried after
 * `retryDelaySeconds(attempts)` until `maxAttempts`; trouble on the other end
 * never reaches a page. Up to BATCH attempts run at once, so one slow
 * receiver holds up no other.
 */
import logger from '@adonisjs/core/services/logger'
import type { OutboxRow, OutboxTable } from '#services/outbox/outbox_table'

const POLL_MS = 1000
const BATCH = 20

export type DeliveryPolicy<Row extends OutboxRow> = {
  /** Named in log lines */
  name: string
  /** Delivers one row; throwing counts as a failed attempt */
  send(row: Row): Promise<void>
  maxAttempts: number
  retryDelaySeconds(attempts: number): number
}

export class OutboxDelivery<Row extends OutboxRow> {
  #timer: NodeJS.Timeout | null = null
  #stopQueued: (() => void) | null = null
  #running: Promise<void> | null = null
  #again = false
  #inFlight = new Set<Promise<void>>()

  constructor(
    private outbox: OutboxTable,
    private policy: DeliveryPolicy<Row>
  ) {}

  start() {
    if (this.#timer) return
    this.#timer = setInterval(() => this.deliverDue(), POLL_MS)
    this.#timer.unref()
    const forget = this.outbox.onQueued(() => this.deliverDue())
    this.#stopQueued = () => void forget()
    this.deliverDue()
  }

  /** Stops polling and waits for the attempts in flight */
  async stop() {
    if (this.#timer) clearInterval(this.#timer)
    this.#timer = null
    this.#stopQueued?.()
    this.#stopQueued = null
    await this.settle()
  }

  /** Waits for the run and the attempts in flight; polling goes on if it was started */
  async settle() {
    await this.#running
    await Promise.all(this.#inFlight)
  }

  /** Delivers every due row; a call during a run makes the run go once more */
  deliverDue(): Promise<void> {
    if (this.#running) {
      this.#again = true
      return this.#running
    }
    this.#running = this.#drain()
      .catch((error) =>
        logger.error({ err: error }, `${this.policy.name}: could not read the outbox`)
      )
      .finally(() => (this.#running = null))
    return this.#running
  }

  /** Claims what there is room for and starts each attempt without waiting for it */
  async #drain() {
    do {
      this.#again = false
      let room = BATCH - this.#inFlight.size
      while (room > 0) {
        const batch = await this.outbox.claimDue(room)
        for (const row of batch) this.#track(this.#attempt(row as Row))
        if (batch.length < room) break
        room = BATCH - this.#inFlight.size
      }
    } while (this.#again)
  }

  #track(attempt: Promise<void>) {
    const tracked = attempt
      .catch((error) =>
        logger.error({ err: error }, `${this.policy.name}: could not record an attempt`)
      )
      .finally(() => this.#inFlight.delete(tracked))
    this.#inFlight.add(tracked)
  }

  async #attempt(row: Row) {
    try {
      await this.policy.send(row)
    } catch (error) {
      const giveUp = row.attempts >= this.policy.maxAttempts
      logger.warn(
        { err: error, outboxId: row.id, attempts: row.attempts },
        `${this.policy.name}: ${giveUp ? 'giving up' : 'attempt failed, will retry'}`
      )
      await this.outbox.recordFailedAttempt(
        row.id,
        String((error as Error).message ?? error),
        giveUp ? null : this.policy.retryDelaySeconds(row.attempts)
      )
      return
    }
    await this.outbox.forget(row.id)
  }
}
