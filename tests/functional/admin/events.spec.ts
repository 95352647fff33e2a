/**
 * The audit events page: newest first, filtered by user, client, type and
 * time with events:list's rules, and a filter it cannot read named on the page.
 */
import { test } from '@japa/runner'
import { DateTime } from 'luxon'
import AuditEvent from '#models/audit_event'
import { recordEvent } from '#services/audit/record_event'
import { pageText } from '#tests/helpers/accounts'
import { createStaff, signedInAs } from '#tests/helpers/admin'
import { createClient, createUser } from '#tests/helpers/factories'

/** The ids of the events a page lists, in its order */
const listedIds = (html: string) =>
  [...html.matchAll(/data-event="(\d+)"/g)].map(([, id]) => Number(id))

test.group('Admin console: audit events', () => {
  test('lists the newest first and filters by user, client, type and time', async ({ assert }) => {
    const person = await createUser()
    const other = await createUser()
    const rp = await createClient({ name: 'Evented RP' })
    await recordEvent('sign_in.failed', { userId: person.user.id, ip: '192.0.2.7' })
    await recordEvent('consent.given', { userId: person.user.id, clientId: rp.id })
    await recordEvent('sign_in.failed', { userId: other.user.id })
    /* an old one, for `since` */
    await recordEvent('tokens.issued', { userId: person.user.id, clientId: rp.id })
    const old = await AuditEvent.query()
      .where('user_id', person.user.id)
      .where('type', 'tokens.issued')
      .firstOrFail()
    await AuditEvent.query()
      .where('id', old.id)
      .update({ occurred_at: DateTime.utc().minus({ days: 3 }).toSQL({ includeOffset: false }) })
    const ids = async (types: string[], userId: number) =>
      (
        await AuditEvent.query()
          .where('user_id', userId)
          .whereIn('type', types)
          .orderBy('occurred_at', 'desc')
          .orderBy('id', 'desc')
      ).map((event) => Number(event.id))

    const browser = await signedInAs(await createStaff())
    const all = await browser.get('/admin/events/')
    assert.equal(all.status, 200)
    assert.include(all.body, 'href="/admin/events/" aria-current="page"')
    const newest = await AuditEvent.query()
      .orderBy('occurred_at', 'desc')
      .orderBy('id', 'desc')
      .limit(100)
    assert.deepEqual(
      listedIds(all.body),
      newest.map((event) => Number(event.id)),
      'the newest 100, newest first'
    )
    assert.notInclude(listedIds(all.body).slice(0, 3), Number(old.id), 'by time, not by id')

    const byUser = await browser.get(`/admin/events/?user=${encodeURIComponent(person.email)}`)
    assert.deepEqual(
      listedIds(byUser.body),
      await ids(['sign_in.failed', 'consent.given', 'tokens.issued'], person.user.id)
    )
    assert.include(pageText(byUser.body), '192.0.2.7')

    const byClient = await browser.get(`/admin/events/?client=${encodeURIComponent(rp.id)}`)
    assert.deepEqual(
      listedIds(byClient.body),
      await ids(['consent.given', 'tokens.issued'], person.user.id)
    )

    const byType = await browser.get(`/admin/events/?type=sign_in.failed&user=${person.user.id}`)
    assert.deepEqual(listedIds(byType.body), await ids(['sign_in.failed'], person.user.id))
    assert.include(byType.body, '<option value="sign_in.failed" selected>')

    const recent = await browser.get(`/admin/events/?client=${encodeURIComponent(rp.id)}&since=1d`)
    assert.deepEqual(listedIds(recent.body), await ids(['consent.given'], person.user.id))
  })

  test('a filter it cannot read is named, and nothing is listed', async ({ assert }) => {
    const browser = await signedInAs(await createStaff())
    for (const [query, problem] of [
      ['type=sign_in.maybe', 'type: unknown event type &quot;sign_in.maybe&quot;'],
      ['since=yesterday', 'since: expected an ISO 8601 time'],
      ['user=nobody-here-at-all', 'user: no user &quot;nobody-here-at-all&quot;'],
    ]) {
      const page = await browser.get(`/admin/events/?${query}`)
      assert.equal(page.status, 200, query)
      assert.include(pageText(page.body), problem)
      assert.deepEqual(listedIds(page.body), [], query)
    }
  })
})
