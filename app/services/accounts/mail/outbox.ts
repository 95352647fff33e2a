/**
 * The mail outbox: every mail is a row, written in the transaction of the
 * change that causes it (a sign-up and its confirmation mail commit
 * together or not at all), so a mail is never lost when the process that
 * answered the page dies. Every app process delivers from it (delivery.ts);
 * a row is claimed by one process at a time with a conditional update, so two
 * processes never send the same mail.
 */
import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import type { DatabaseQueryBuilderContract } from '@adonisjs/lucid/types/querybuilder'
import { sqlTime } from '#models/columns'
import { affectedRows } from '#database/statements'

export type OutgoingMail = { to: string; subject: string; text: string; html: string }
export type QueuedMail = OutgoingMail & { id: number; attempts: number }

const TABLE = 'mail_outbox'
/** How long a claim holds; longer than the SMTP timeouts of config/mail.ts add up to */
const CLAIM_SECONDS = 60

const later = (seconds: number) => sqlTime(DateTime.now().plus({ seconds }))

/* Listeners told when a mail was queued and committed (delivery.ts sends at once) */
const queuedListeners = new Set<() => void>()
export function onMailQueued(listener: () => void) {
  queuedListeners.add(listener)
  return () => queuedListeners.delete(listener)
}
const announce = () => queuedListeners.forEach((listener) => listener())

/** Queues a mail; inside `trx` it exists only if that transaction commits */
export async function queueMail(mail: OutgoingMail, trx?: TransactionClientContract) {
  const now = sqlTime()
  await (trx ?? db).table(TABLE).insert({
    recipient: mail.to,
    subject: mail.subject,
    text_body: mail.text,
    html_body: mail.html,
    attempts: 0,
    next_attempt_at: now,
    created_at: now,
  })
  if (trx) trx.after('commit', announce)
  else announce()
}

/** Due and not claimed by a live claim, as of `now` */
function claimable(query: DatabaseQueryBuilderContract, now: string) {
  return query
    .whereNull('failed_at')
    .where('next_attempt_at', '<=', now)
    .where((unclaimed) => unclaimed.whereNull('claimed_until').orWhere('claimed_until', '<', now))
}

/** Claims up to `limit` due mails for this process; each is claimed by one process only */
export async function claimDueMails(limit: number): Promise<QueuedMail[]> {
  const now = sqlTime()
  const candidates = await claimable(db.from(TABLE), now).orderBy('id').limit(limit).select('id')
  const claimed: number[] = []
  for (const { id } of candidates) {
    const updated = await claimable(db.from(TABLE).where('id', id), now).update({
      claimed_until: later(CLAIM_SECONDS),
      attempts: db.raw('attempts + 1'),
    })
    if (affectedRows(updated) === 1) claimed.push(id)
  }
  if (!claimed.length) return []
  const rows = await db.from(TABLE).whereIn('id', claimed).orderBy('id')
  return rows.map((row) => ({
    id: row.id,
    to: row.recipient,
    subject: row.subject,
    text: row.text_body,
    html: row.html_body,
    attempts: Number(row.attempts),
  }))
}

/** The mail server took it: nothing of it is kept */
export async function forgetSentMail(id: number) {
  await db.from(TABLE).where('id', id).delete()
}

/** Sending failed: try again after `retryInSeconds`, or give up (bodies dropped: they hold links) */
export async function recordFailedAttempt(
  id: number,
  error: string,
  retryInSeconds: number | null
) {
  const lastError = error.slice(0, 500)
  await db
    .from(TABLE)
    .where('id', id)
    .update(
      retryInSeconds === null
        ? {
            claimed_until: null,
            last_error: lastError,
            failed_at: sqlTime(),
            text_body: '',
            html_body: '',
          }
        : { claimed_until: null, last_error: lastError, next_attempt_at: later(retryInSeconds) }
    )
}
