/**
 * Delivers the outbox (outbox.ts) from every app process: at once when this
 * process queued a mail, and every second for mails queued by others or left
 * by a process that died. A failed send is retried with a doubling delay, up
 * to MAX_ATTEMPTS; the mail server's trouble never reaches a page.
 */
import logger from '@adonisjs/core/services/logger'
import mail from '@adonisjs/mail/services/main'
import { mailSettings } from '#config/mail'
import {
  claimDueMails,
  forgetSentMail,
  onMailQueued,
  recordFailedAttempt,
  type QueuedMail,
} from '#services/accounts/mail/outbox'

const POLL_MS = 1000
const BATCH = 20
/** 2 s doubling to 15 min: ten attempts over about half an hour */
export const MAX_ATTEMPTS = 10
export const retryDelaySeconds = (attempts: number) => Math.min(2 ** attempts, 900)

class OutboxDelivery {
  #timer: NodeJS.Timeout | null = null
  #stopQueued: (() => void) | null = null
  #running: Promise<void> | null = null
  #again = false

  start() {
    if (this.#timer) return
    this.#timer = setInterval(() => this.deliverDue(), POLL_MS)
    this.#timer.unref()
    const forget = onMailQueued(() => this.deliverDue())
    this.#stopQueued = () => void forget()
    this.deliverDue()
  }

  /** Stops polling and waits for the sends in flight */
  async stop() {
    if (this.#timer) clearInterval(this.#timer)
    this.#timer = null
    this.#stopQueued?.()
    this.#stopQueued = null
    await this.#running
  }

  /** Sends every due mail; a call during a run makes the run go once more */
  deliverDue(): Promise<void> {
    if (this.#running) {
      this.#again = true
      return this.#running
    }
    this.#running = this.#drain()
      .catch((error) => logger.error({ err: error }, 'mail outbox: could not read the outbox'))
      .finally(() => (this.#running = null))
    return this.#running
  }

  async #drain() {
    do {
      this.#again = false
      let batch: QueuedMail[]
      do {
        batch = await claimDueMails(BATCH)
        for (const queued of batch) await this.#send(queued)
      } while (batch.length === BATCH)
    } while (this.#again)
  }

  async #send(queued: QueuedMail) {
    try {
      await mail.use().send((message) => {
        message
          .from(mailSettings.from)
          .to(queued.to)
          .subject(queued.subject)
          .text(queued.text)
          .html(queued.html)
      })
    } catch (error) {
      const giveUp = queued.attempts >= MAX_ATTEMPTS
      logger.warn(
        { err: error, mailId: queued.id, attempts: queued.attempts },
        giveUp ? 'mail outbox: giving up on a mail' : 'mail outbox: sending failed, will retry'
      )
      await recordFailedAttempt(
        queued.id,
        String((error as Error).message ?? error),
        giveUp ? null : retryDelaySeconds(queued.attempts)
      )
      return
    }
    await forgetSentMail(queued.id)
  }
}

const outboxDelivery = new OutboxDelivery()
export default outboxDelivery
