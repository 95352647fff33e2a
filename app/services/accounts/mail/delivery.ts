/**
 * Delivers the mail outbox (outbox.ts) from every app process. A failed send
 * is retried with a doubling delay, up to MAX_ATTEMPTS; the mail server's
 * trouble never reaches a page.
 */
import mail from '@adonisjs/mail/services/main'
import { mailSettings } from '#config/mail'
import { mailOutbox, type QueuedMailRow } from '#services/accounts/mail/outbox'
import { OutboxDelivery } from '#services/outbox/outbox_delivery'

/** 2 s doubling to 15 min: ten attempts over about half an hour */
const MAX_ATTEMPTS = 10
const retryDelaySeconds = (attempts: number) => Math.min(2 ** attempts, 900)

const outboxDelivery = new OutboxDelivery<QueuedMailRow>(mailOutbox, {
  name: 'mail outbox',
  maxAttempts: MAX_ATTEMPTS,
  retryDelaySeconds,
  async send(row) {
    await mail.use().send((message) => {
      message
        .from(mailSettings.from)
        .to(row.recipient)
        .subject(row.subject)
        .text(row.text_body)
        .html(row.html_body)
    })
  },
})
export default outboxDelivery
