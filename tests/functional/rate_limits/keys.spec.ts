/**
 * What the rate limits count and how they store it (docs/settings.md#rate-limits): a key is
 * a fixed-length digest of what it counts, so a long login or client_id fits
 * the store's key column (MySQL: varchar(255)) and a login typed into the form
 * (sometimes a password typed in the wrong field) is never stored in clear.
 * Failed logins count per account, whatever identifier was typed.
 */
import { randomBytes } from 'node:crypto'
import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { startApp, type AppProcess } from '#tests/helpers/app_process'
import { Browser, readForm } from '#tests/helpers/browser'
import { createUser } from '#tests/helpers/factories'
import { resetRateLimits } from '#tests/helpers/oauth_checks'

async function logIn(browser: Browser, login: string, password: string) {
  const page = await browser.get('/accounts/login/')
  return browser.submit(readForm(page.body, 'form[action="/accounts/login/"]'), {
    login,
    password,
  })
}

function apiPost(server: AppProcess, path: string, form: Record<string, string>) {
  return fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form),
  })
}

/** A 230-character address: a 64-character local part at a 165-character domain */
function longEmail() {
  const domain = `${'a'.repeat(60)}.${'b'.repeat(60)}.${'c'.repeat(35)}.example`
  return `${randomBytes(32).toString('hex')}@${domain}`
}

test.group('Rate-limit keys in the database store (LIMITER_STORE=database)', (group) => {
  let server: AppProcess
  group.setup(async () => {
    server = await startApp({ LIMITER_STORE: 'database' })
    return () => server.stop()
  })

  test('a 312-character login gets the login error, not a 500', async ({ assert }) => {
    const page = await logIn(new Browser(server.url), 'x'.repeat(312), 'wrong')
    assert.equal(page.status, 200, page.body.slice(0, 300))
    assert.include(page.body, 'The login and/or password you specified are not correct.')
  })

  test('a person with a 230-character email address signs in', async ({ assert }) => {
    const email = longEmail()
    assert.lengthOf(email, 230)
    const person = await createUser({ email })
    const page = await logIn(new Browser(server.url), person.email, person.password)
    assert.equal(page.status, 303, page.body.slice(0, 300))
  })

  test('a 300-character client_id gets invalid_client at token and invalid_request at device authorization', async ({
    assert,
  }) => {
    const clientId = 'c'.repeat(300)
    const token = await apiPost(server, '/identity/o/api/token', {
      grant_type: 'client_credentials',
      client_id: clientId,
      client_secret: 'wrong',
    })
    assert.equal(token.status, 401)
    assert.equal(((await token.json()) as { error: string }).error, 'invalid_client')
    const device = await apiPost(server, '/identity/o/api/device/code', { client_id: clientId })
    assert.equal(device.status, 400)
    assert.equal(((await device.json()) as { error: string }).error, 'invalid_request')
  })

  test('no stored key holds what was typed, and every key has the same short shape', async ({
    assert,
  }) => {
    const typed = `Typed-Password-${randomBytes(6).toString('hex')}`
    await logIn(new Browser(server.url), typed, 'wrong')
    const rows: { key: string }[] = await db.from('rate_limits').select('key')
    assert.isNotEmpty(rows)
    for (const { key } of rows) {
      assert.notInclude(key.toLowerCase(), typed.toLowerCase())
      assert.notInclude(key, '127.0.0.1')
      assert.isAtMost(key.length, 100, key)
      assert.match(key, /:[A-Za-z0-9_-]{43}$/, 'ends with a SHA-256 digest, base64url')
    }
  })
})

test.group('Failed logins count per account', (group) => {
  group.each.setup(resetRateLimits)

  test('5 wrong passwords as the username, then the right one as the email address: 429', async ({
    assert,
  }) => {
    const person = await createUser()
    const browser = new Browser()
    for (let i = 0; i < 5; i++) {
      const page = await logIn(browser, person.user.username!, 'wrong')
      assert.equal(page.status, 200)
    }
    const blocked = await logIn(browser, person.email.toUpperCase(), person.password)
    assert.equal(blocked.status, 429)
    assert.match(blocked.headers.get('retry-after') ?? '', /^\d+$/)
    assert.include(blocked.body, 'Too many failed login attempts.')
    const other = await createUser()
    assert.equal(
      (await logIn(new Browser(), other.email, other.password)).status,
      303,
      'another account is not blocked'
    )
  })

  test('failures at an unknown login are counted by that login, whatever its case or spaces', async ({
    assert,
  }) => {
    const login = `nobody-${randomBytes(4).toString('hex')}@example.com`
    for (let i = 0; i < 5; i++) await logIn(new Browser(), login, 'wrong')
    const blocked = await logIn(new Browser(), ` ${login.toUpperCase()} `, 'wrong')
    assert.equal(blocked.status, 429)
  })
})
