import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { composeMail, mailSite } from '#services/accounts/mail/compose'
import { queueMail } from '#services/accounts/mail/outbox'
import outboxDelivery from '#services/accounts/mail/delivery'
import { mailSink } from '#tests/helpers/mail_sink'
import { startApp } from '#tests/helpers/app_process'
import { BASE_URL } from '#tests/helpers/browser'
import { randomValue } from '#services/oidc/protocol/random'

const address = (label: string) => `${label}-${randomValue(6).toLowerCase()}@example.com`

async function confirmationMail(to: string) {
  return composeMail('email_confirmation', to, mailSite(BASE_URL), {
    account: 'ada',
    email: to,
    code: null,
    confirmPath: '/accounts/confirm-email/some-key/',
  })
}

const outboxRows = (to: string) => db.from('mail_outbox').where('recipient', to)

test.group('Mail outbox', () => {
  test('a queued mail reaches the SMTP server at once and nothing of it stays behind', async ({
    assert,
  }) => {
    const to = address('outbox')
    await queueMail(await confirmationMail(to))
    const mail = await mailSink.nextMail(to)
    assert.equal(mail.subject, `[${new URL(BASE_URL).host}] Please Confirm Your Email Address`)
    assert.equal(mail.from, 'webmaster@localhost')
    const lines = mail.text.trim().split('\n')
    assert.equal(lines[0], `Hello from ${new URL(BASE_URL).host}!`)
    assert.deepEqual(lines.slice(-2), [
      `Thank you for using ${new URL(BASE_URL).host}!`,
      new URL(BASE_URL).host,
    ])
    assert.deepEqual(mail.links, [`${BASE_URL}/accounts/confirm-email/some-key/`])
    assert.include(mail.html, `href="${BASE_URL}/accounts/confirm-email/some-key/"`)
    await new Promise((resolve) => setTimeout(resolve, 200))
    assert.lengthOf(await outboxRows(to), 0)
  })

  test('a mail queued in a transaction that rolls back is never sent', async ({ assert }) => {
    const to = address('rolled-back')
    const trx = await db.transaction()
    await queueMail(await confirmationMail(to), trx)
    await trx.rollback()
    assert.lengthOf(await mailSink.newMailsAfter(to, 1500), 0)
    assert.lengthOf(await outboxRows(to), 0)
  })

  test('with the mail server down, the mail waits and leaves once the server is back', async ({
    assert,
    cleanup,
  }) => {
    cleanup(() => mailSink.start())
    await mailSink.stop()
    const to = address('retried')
    await queueMail(await confirmationMail(to))
    await new Promise((resolve) => setTimeout(resolve, 1500))
    const [row] = await outboxRows(to)
    assert.isAtLeast(Number(row.attempts), 1)
    assert.isNotNull(row.last_error)
    assert.isNull(row.failed_at)

    await mailSink.start()
    const mail = await mailSink.nextMail(to, 15_000)
    assert.equal(mail.subject.endsWith('Please Confirm Your Email Address'), true)
    assert.lengthOf(await mailSink.newMailsAfter(to, 500), 0)
    assert.lengthOf(await outboxRows(to), 0)
  }).timeout(40_000)

  test('two app processes delivering one outbox send each mail once', async ({
    assert,
    cleanup,
  }) => {
    /* only the two children deliver meanwhile, both polling the same rows */
    await outboxDelivery.stop()
    cleanup(() => outboxDelivery.start())
    const [first, second] = await Promise.all([startApp(), startApp()])
    cleanup(() => first.stop())
    cleanup(() => second.stop())
    const recipients = Array.from({ length: 40 }, (_, index) => address(`shared-${index}`))
    const mails = await Promise.all(recipients.map(confirmationMail))
    const deliveriesBefore = mailSink.deliveries
    await db.transaction(async (trx) => {
      for (const mail of mails) await queueMail(mail, trx)
    })
    for (const to of recipients) await mailSink.nextMail(to, 15_000)
    assert.lengthOf(await mailSink.newMailsAfter(recipients[0], 1500), 0)
    for (const to of recipients) assert.lengthOf(mailSink.mailsTo(to), 1, to)
    assert.equal(mailSink.deliveries - deliveriesBefore, 40)
  }).timeout(60_000)
})
