/**
 * Provider sessions are revocable on the server: each sign-in has a
 * user_sessions row, checked on every request that reads the signed-in user.
 * Logout (the account page or RP-initiated), a password change and
 * deactivation delete it, so a copy of the cookie taken before is dead, in
 * every session store. The idle and absolute lifetimes are enforced by the
 * server, whatever the cookie says.
 */
import { test } from '@japa/runner'
import type { Assert } from '@japa/assert'
import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import { sqlTime } from '#models/columns'
import OidcDeviceCode from '#models/oidc_device_code'
import { endUserSessions } from '#services/accounts/user_sessions'
import { startApp } from '#tests/helpers/app_process'
import { Browser, readForm } from '#tests/helpers/browser'
import { createClient, createUser, type TestUser } from '#tests/helpers/factories'
import { DEVICE_GRANT, REDIRECT } from '#tests/helpers/endpoints'
import { authorizeUrl, delivered } from '#tests/helpers/oauth_checks'
import { runJson } from '../commands/run_command.js'

async function signedIn(baseUrl?: string, person?: TestUser) {
  const who = person ?? (await createUser())
  const browser = new Browser(baseUrl)
  const page = await browser.signIn(who.email, who.password)
  if (page.status !== 303) throw new Error(`sign-in failed: ${page.status}`)
  return { person: who, browser }
}

function copyOf(browser: Browser) {
  const copy = new Browser(browser.baseUrl)
  copy.cookies = new Map(browser.cookies)
  return copy
}

const sessionRows = (userId: number) => db.from('user_sessions').where('user_id', userId)

/** A DATETIME as read back: a Date from mysql2, text from SQLite */
const readTime = (value: Date | string) =>
  value instanceof Date
    ? DateTime.fromJSDate(value, { zone: 'utc' })
    : DateTime.fromSQL(value, { zone: 'utc' })

/** The grants page, prompt=none and device approval all treat `browser` as signed out */
async function assertSignedOut(assert: Assert, browser: Browser) {
  const grants = await browser.get('/accounts/grants/')
  assert.equal(grants.status, 302, 'the grants page sends to the login page')
  assert.match(grants.location ?? '', /\/accounts\/login\//)

  const rp = await createClient({ redirectUris: [REDIRECT], skipConsent: true })
  const silent = await browser.get(
    authorizeUrl({
      client_id: rp.id,
      redirect_uri: REDIRECT,
      response_type: 'code',
      scope: 'openid',
      prompt: 'none',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
    })
  )
  assert.equal(delivered(silent).params.get('error'), 'login_required')
}

/** A device code's confirm form, loaded while signed in, posted after the session ended */
async function deviceForm(browser: Browser) {
  const device = await createClient({ type: 'public', grantTypes: [DEVICE_GRANT] })
  const issued = await new Browser(browser.baseUrl).post('/identity/o/api/device/code', {
    client_id: device.id,
  })
  const userCode = JSON.parse(issued.body).user_code as string
  const page = await browser.get(`/identity/o/device?code=${encodeURIComponent(userCode)}`)
  return { device, form: readForm(page.body, 'form[action="/identity/o/device"]') }
}

async function assertDeviceRefused(
  assert: Assert,
  copy: Browser,
  pending: Awaited<ReturnType<typeof deviceForm>>
) {
  const posted = await copy.submit(pending.form, { action: 'confirm' })
  assert.equal(posted.status, 303)
  assert.match(posted.location ?? '', /\/accounts\/login\//)
  const code = await OidcDeviceCode.findByOrFail('client_id', pending.device.id)
  assert.equal(code.status, 'pending')
}

test.group('Ending a session kills every copy of its cookie', () => {
  test('POST /accounts/logout/', async ({ assert }) => {
    const { person, browser } = await signedIn()
    const copy = copyOf(browser)
    const pending = await deviceForm(copy)
    const home = await browser.get('/')
    const logout = await browser.submit(readForm(home.body, 'form[action="/accounts/logout/"]'))
    assert.equal(logout.status, 303)
    assert.lengthOf(await sessionRows(person.user.id), 0)
    await assertSignedOut(assert, copy)
    await assertDeviceRefused(assert, copy, pending)
  })

  test('RP-initiated logout', async ({ assert }) => {
    const { person, browser } = await signedIn()
    const copy = copyOf(browser)
    const ask = await browser.get('/identity/o/logout')
    const done = await browser.submit(readForm(ask.body, 'form[action="/identity/o/logout"]'), {
      action: 'logout',
    })
    assert.equal(done.status, 303)
    assert.lengthOf(await sessionRows(person.user.id), 0)
    await assertSignedOut(assert, copy)
  })

  test('user:update --password ends every session of the user', async ({ assert }) => {
    const { person, browser } = await signedIn()
    const { browser: other } = await signedIn(undefined, person)
    const copy = copyOf(browser)
    assert.lengthOf(await sessionRows(person.user.id), 2)
    await runJson(assert, 'user:update', [person.email, '--password', 'a new password'])
    assert.lengthOf(await sessionRows(person.user.id), 0)
    for (const one of [browser, other, copy]) await assertSignedOut(assert, one)
  })

  test('user:update --inactive ends them, and --active does not bring them back', async ({
    assert,
  }) => {
    const { person, browser } = await signedIn()
    const pending = await deviceForm(browser)
    await runJson(assert, 'user:update', [person.email, '--inactive'])
    await runJson(assert, 'user:update', [person.email, '--active'])
    assert.lengthOf(await sessionRows(person.user.id), 0)
    await assertSignedOut(assert, browser)
    await assertDeviceRefused(assert, browser, pending)
  })

  test('endUserSessions ends all but the one kept, and names the ended sids', async ({
    assert,
  }) => {
    const { person } = await signedIn()
    const { browser: kept } = await signedIn(undefined, person)
    await signedIn(undefined, person)
    const rows = await sessionRows(person.user.id).orderBy('id')
    const ended = await endUserSessions(person.user.id, { except: rows[1].sid })
    assert.sameMembers(ended, [rows[0].sid, rows[2].sid])
    assert.deepEqual(
      (await sessionRows(person.user.id)).map((row) => row.sid),
      [rows[1].sid]
    )
    assert.equal((await kept.get('/accounts/grants/')).status, 200)
  })
})

test.group('Session lifetimes', () => {
  test('a sign-in records the session: user agent, address, start, last seen, absolute expiry', async ({
    assert,
  }) => {
    const person = await createUser()
    const browser = new Browser()
    await browser.signIn(person.email, person.password)
    const [row] = await sessionRows(person.user.id)
    assert.equal(row.ip, '127.0.0.1')
    assert.equal(row.user_agent, 'node')
    assert.isBelow(Math.abs(readTime(row.created_at).diffNow().as('seconds')), 10)
    const lifetime = readTime(row.expires_at).diff(readTime(row.created_at))
    assert.equal(lifetime.as('seconds'), 1209600, 'SESSION_COOKIE_AGE')
  })

  test('idle longer than SESSION_IDLE_TIMEOUT: signed out; last seen moves at most once a minute', async ({
    assert,
  }) => {
    const { person, browser } = await signedIn()
    const set = (values: Record<string, string>) =>
      db.from('user_sessions').where('user_id', person.user.id).update(values)
    const lastSeen = async () =>
      readTime((await sessionRows(person.user.id))[0].last_seen_at).toISO()

    await set({ last_seen_at: sqlTime(DateTime.utc().minus({ seconds: 30 })) })
    const before = await lastSeen()
    assert.equal((await browser.get('/accounts/grants/')).status, 200)
    assert.equal(await lastSeen(), before, 'seen 30 s ago: not written again')

    await set({ last_seen_at: sqlTime(DateTime.utc().minus({ minutes: 2 })) })
    assert.equal((await browser.get('/accounts/grants/')).status, 200)
    assert.notEqual(await lastSeen(), before, 'seen 2 minutes ago: moved to now')

    await set({ last_seen_at: sqlTime(DateTime.utc().minus({ seconds: 7201 })) })
    await assertSignedOut(assert, browser)
    assert.lengthOf(await sessionRows(person.user.id), 0, 'the stale row is gone')
  })

  test('older than SESSION_COOKIE_AGE: signed out, however active', async ({ assert }) => {
    const { person, browser } = await signedIn()
    await db
      .from('user_sessions')
      .where('user_id', person.user.id)
      .update({ expires_at: sqlTime(DateTime.utc().minus({ seconds: 1 })) })
    await assertSignedOut(assert, browser)
  })
})

test.group('Sessions across processes and stores', (group) => {
  group.each.timeout(60_000)

  test('two processes share sessions; logout on one kills the copy on the other', async ({
    assert,
    cleanup,
  }) => {
    const second = await startApp()
    cleanup(() => second.stop())
    const { browser } = await signedIn()
    const onSecond = new Browser(second.url)
    onSecond.cookies = new Map(browser.cookies)
    assert.equal((await onSecond.get('/accounts/grants/')).status, 200)
    const home = await onSecond.get('/')
    const logout = await onSecond.submit(readForm(home.body, 'form[action="/accounts/logout/"]'))
    assert.equal(logout.status, 303)
    await assertSignedOut(assert, browser)
  })

  test('SESSION_DRIVER=redis: a copied cookie is dead after logout', async ({
    assert,
    cleanup,
  }) => {
    const server = await startApp({ SESSION_DRIVER: 'redis' })
    cleanup(() => server.stop())
    const { browser } = await signedIn(server.url)
    const copy = copyOf(browser)
    assert.equal((await copy.get('/accounts/grants/')).status, 200)
    const home = await browser.get('/')
    await browser.submit(readForm(home.body, 'form[action="/accounts/logout/"]'))
    await assertSignedOut(assert, copy)
  })
})
