/**
 * The mail outbox: every mail is a row of `mail_outbox`, written in the
 * transaction of the change that causes it (a sign-up and its confirmation
 * mail commit together or not at all); delivery.ts sends it. The claiming and
 * retrying is every outbox's (app/services/outbox/).
 */
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { OutboxTable, type OutboxRow } from '#services/outbox/outbox_table'

export type OutgoingMail = { to: string; subject: string; text: string; html: string }

/* A claim holds longer than the SMTP timeouts of config/mail.ts add up to; bodies hold links, so a given-up mail loses them */
export const mailOutbox = new OutboxTable('mail_outbox', 60, { text_body: '', html_body: '' })

export type QueuedMailRow = OutboxRow & {
  recipient: string
  subject: string
  text_body: string
  html_body: string
}

/** Queues a mail; inside `trx` it exists only if that transaction commits */
export async function queueMail(mail: OutgoingMail, trx?: TransactionClientContract) {
  await mailOutbox.queue(
    [{ recipient: mail.to, subject: mail.subject, text_body: mail.text, html_body: mail.html }],
    trx
  )
}
