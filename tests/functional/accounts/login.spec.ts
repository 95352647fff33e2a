import { request as httpRequest } from 'node:http'
import { test } from '@japa/runner'
import { createRemoteJWKSet, jwtVerify } from 'jose'
import type { Assert } from '@japa/assert'
import accountsConfig from '#config/accounts'
import User from '#models/user'
import { BASE_URL, Browser, isSignedIn, readForm, type Page } from '#tests/helpers/browser'
import { REDIRECT } from '#tests/helpers/endpoints'
import { createClient, createUser } from '#tests/helpers/factories'
import { ISSUER, discoverAs, runCodeFlow } from '#tests/helpers/relying_party'
import { BackchannelReceiver } from '#tests/helpers/backchannel_receiver'
import { pageText } from '#tests/helpers/accounts'
import { randomValue } from '#services/oidc/protocol/random'

const LOGIN = '/accounts/login/'
const BAD_CREDENTIALS = 'The login and/or password you specified are not correct.'

/** A login no other test uses, so that its `login_failed` counter starts at zero */
function uniqueLogin(label: string) {
  return `${label}-${randomValue(6).toLowerCase()}@example.com`
}

/** The amount of the configured `login_failed` rule for `per` (docs/settings.md#rate-limits) */
function failedLoginLimit(per: 'ip' | 'key') {
  const rule = accountsConfig.rateLimits.login_failed?.find((r) => r.per === per)
  if (!rule) throw new Error(`ACCOUNT_RATE_LIMITS has no login_failed rule per ${per}`)
  return rule.amount
}

/** Posts the login form with `values`, from a browser that has just opened the page */
async function postLogin(browser: Browser, values: Record<string, string | string[] | null>) {
  const page = await browser.get(LOGIN)
  return browser.submit(readForm(page.body, `form[action="${LOGIN}"]`), values)
}

/** A form POST from a given local address (fetch cannot choose one) */
function postFrom(localAddress: string, path: string, body: URLSearchParams, cookie: string) {
  return new Promise<{ status: number; retryAfter: string | undefined }>((resolve, reject) => {
    const target = new URL(path, BASE_URL)
    const request = httpRequest(target, {
      method: 'POST',
      localAddress,
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
    })
    request.on('response', (response) => {
      response.resume()
      response.on('end', () =>
        resolve({ status: response.statusCode!, retryAfter: response.headers['retry-after'] })
      )
    })
    request.on('error', reject)
    request.end(body.toString())
  })
}

function assertPageHeaders(assert: Assert, page: Page) {
  assert.equal(page.headers.get('x-frame-options'), 'DENY', page.url)
  assert.match(
    page.headers.get('content-security-policy') ?? '',
    /(^|;)\s*frame-ancestors 'none'\s*(;|$)/,
    page.url
  )
  assert.equal(page.headers.get('referrer-policy'), 'no-referrer', page.url)
  assert.equal(page.headers.get('cache-control'), 'no-store', page.url)
}

test.group('Login page', () => {
  test('signs in with the email address and goes to next', async ({ assert }) => {
    const { email, password } = await createUser()
    const browser = new Browser()
    const page = await browser.signIn(email, password, '/accounts/grants/')
    assert.equal(page.status, 303, page.body.slice(0, 1500))
    assert.equal(new URL(page.location!).pathname, '/accounts/grants/')
    assert.isTrue(await isSignedIn(browser))
  })

  test('signs in with the username in any letter case', async ({ assert }) => {
    const username = `Grace_${randomValue(4)}`
    const { password } = await createUser({ username })
    for (const login of [username, username.toUpperCase(), ` ${username.toLowerCase()} `]) {
      const browser = new Browser()
      const page = await browser.signIn(login, password)
      assert.equal(page.status, 303, login)
      assert.equal(page.location, `${BASE_URL}/`)
      assert.include(pageText((await browser.get('/')).body), `Signed in as ${username}.`)
    }
  })

  test('signs in with the email address in any letter case and records the time, not an update', async ({
    assert,
  }) => {
    const { user, email, password } = await createUser()
    await User.query().where('id', user.id).update({ updated_at: '2020-01-01 00:00:00' })
    const browser = new Browser()
    assert.equal((await browser.signIn(email.toUpperCase(), password)).status, 303)
    assert.isTrue(await isSignedIn(browser))
    await user.refresh()
    assert.isNotNull(user.lastLoginAt)
    assert.equal(user.updatedAt.toUTC().toISODate(), '2020-01-01', 'updated_at is a profile claim')
  })

  test('a failed login writes nothing to the user row', async ({ assert }) => {
    const { user, email } = await createUser()
    const before = (await User.findOrFail(user.id)).toJSON()
    await new Browser().signIn(email, 'not-the-password')
    assert.deepEqual((await User.findOrFail(user.id)).toJSON(), before)
  })

  test('the account page names a user without a username by email address', async ({ assert }) => {
    const { email, password } = await createUser({ username: null })
    const browser = new Browser()
    await browser.signIn(email, password)
    assert.include(pageText((await browser.get('/')).body), `Signed in as ${email}.`)
  })

  test('a wrong password re-renders the form with the error and signs nobody in', async ({
    assert,
  }) => {
    const { email } = await createUser()
    const browser = new Browser()
    const page = await browser.signIn(email, 'not-the-password', '/accounts/grants/')
    assert.equal(page.status, 200)
    assert.include(page.body, BAD_CREDENTIALS)
    const form = readForm(page.body, `form[action="${LOGIN}"]`)
    assert.deepInclude(form.fields, ['login', email])
    assert.deepInclude(form.fields, ['next', '/accounts/grants/'])
    assert.notInclude(page.body, 'not-the-password')
    assert.isFalse(await isSignedIn(browser))
  })

  test('an unknown login gets the same answer as a wrong password', async ({ assert }) => {
    const browser = new Browser()
    const page = await browser.signIn(uniqueLogin('nobody'), 'whatever')
    assert.equal(page.status, 200)
    assert.include(page.body, BAD_CREDENTIALS)
    assert.isFalse(await isSignedIn(browser))
  })

  test('an inactive user is refused even with the right password', async ({ assert }) => {
    const { email, password } = await createUser({ isActive: false })
    const browser = new Browser()
    const page = await browser.signIn(email, password)
    assert.equal(page.status, 200)
    assert.include(page.body, 'This account is inactive.')
    assert.isFalse(await isSignedIn(browser))

    const wrong = await browser.signIn(email, 'not-the-password')
    assert.include(
      wrong.body,
      BAD_CREDENTIALS,
      'a wrong password does not tell that the account is inactive'
    )
  })

  test('missing, empty and repeated fields re-render the form', async ({ assert }) => {
    const { email, password } = await createUser()
    const browser = new Browser()
    for (const values of [
      { login: null, password: null },
      { login: '', password: '' },
      { login: [email, email], password },
      { login: email, password: [password, password] },
    ]) {
      const page = await postLogin(browser, values)
      assert.equal(page.status, 200, JSON.stringify(values))
      assert.include(page.body, BAD_CREDENTIALS)
    }
    assert.isFalse(await isSignedIn(browser))
  })

  test('a signed-in user still gets the form, and signing in again keeps them signed in', async ({
    assert,
  }) => {
    const { email, password } = await createUser()
    const browser = new Browser()
    await browser.signIn(email, password)
    const page = await browser.get(LOGIN)
    assert.equal(page.status, 200)
    assert.include(page.body, 'name="password"')
    assert.equal((await browser.signIn(email, password)).status, 303)
    assert.isTrue(await isSignedIn(browser))
  })
})

test.group('Login CSRF', () => {
  test('a missing or wrong token gives the 403 page and no session', async ({ assert }) => {
    const { email, password } = await createUser()
    for (const csrf of [null, '', 'forged-token']) {
      const browser = new Browser()
      const page = await postLogin(browser, { login: email, password, _csrf: csrf })
      assert.equal(page.status, 403, String(csrf))
      assert.include(page.body, '<h1>Something Went Wrong</h1>')
      assert.include(page.body, 'The form has expired or was not sent by this site.')
      assert.include(page.body, '<a href="/">Back to your account</a>')
      assertPageHeaders(assert, page)
      assert.isFalse(await isSignedIn(browser))
    }
  })

  test("another browser's token is refused", async ({ assert }) => {
    const { email, password } = await createUser()
    const other = new Browser()
    const token = readForm((await other.get(LOGIN)).body).fields.find(
      ([name]) => name === '_csrf'
    )![1]
    const browser = new Browser()
    const page = await postLogin(browser, { login: email, password, _csrf: token })
    assert.equal(page.status, 403)
    assert.isFalse(await isSignedIn(browser))
  })

  test('a post with no session at all is refused', async ({ assert }) => {
    const { email, password } = await createUser()
    const browser = new Browser()
    const page = await browser.post(LOGIN, { login: email, password })
    assert.equal(page.status, 403)
    assert.isFalse(await isSignedIn(browser))
  })
})

test.group('Login rate limits', () => {
  test('the attempt after the configured failures for one login gets 429 with Retry-After, even with the right password', async ({
    assert,
  }) => {
    const limit = failedLoginLimit('key')
    const { email, password } = await createUser({ email: uniqueLogin('target') })
    const browser = new Browser()
    for (let attempt = 1; attempt <= limit; attempt++) {
      /* the key is the login lower-cased and trimmed, so changing its case does not buy more attempts */
      const login = attempt % 2 ? email.toUpperCase() : ` ${email}`
      const page = await postLogin(browser, { login, password: `wrong-${attempt}` })
      assert.equal(page.status, 200, `attempt ${attempt}`)
    }
    const blocked = await postLogin(browser, { login: email, password })
    assert.equal(blocked.status, 429)
    const retryAfter = Number(blocked.headers.get('retry-after'))
    assert.isTrue(
      Number.isInteger(retryAfter) && retryAfter > 0 && retryAfter <= 300,
      `Retry-After ${retryAfter}`
    )
    assert.include(blocked.body, 'Too many failed login attempts')
    assert.include(blocked.body, 'name="password"')
    assertPageHeaders(assert, blocked)
    assert.isFalse(await isSignedIn(browser))

    const other = await createUser()
    assert.equal(
      (await new Browser().signIn(other.email, other.password)).status,
      303,
      'other logins from the same IP still work'
    )
  })

  test('concurrent failures cannot go past the limit', async ({ assert }) => {
    const limit = failedLoginLimit('key')
    const { email } = await createUser({ email: uniqueLogin('burst') })
    const browser = new Browser()
    const form = readForm((await browser.get(LOGIN)).body, `form[action="${LOGIN}"]`)
    const pages = await Promise.all(
      Array.from({ length: limit * 2 }, (_, i) =>
        browser.submit(form, { login: email, password: `guess-${i}` })
      )
    )
    const statuses = pages.map((page) => page.status)
    assert.equal(statuses.filter((status) => status === 200).length, limit, statuses.join(' '))
    assert.equal(statuses.filter((status) => status === 429).length, limit, statuses.join(' '))
  })

  test('failures from one IP address are limited across logins', async ({ assert }) => {
    const limit = failedLoginLimit('ip')
    const browser = new Browser()
    const form = readForm((await browser.get(LOGIN)).body, `form[action="${LOGIN}"]`)
    const cookie = [...browser.cookies].map(([name, value]) => `${name}=${value}`).join('; ')
    /* a loopback address of its own, so that this counter is not the one the other tests share */
    const address = `127.0.${1 + Math.floor(Math.random() * 250)}.${2 + Math.floor(Math.random() * 250)}`
    const attempt = (login: string) => {
      const body = new URLSearchParams([
        ...form.fields.filter(([name]) => name !== 'login'),
        ['login', login],
        ['password', 'wrong'],
      ])
      return postFrom(address, LOGIN, body, cookie)
    }
    for (let i = 1; i <= limit; i++)
      assert.equal((await attempt(uniqueLogin(`spray${i}`))).status, 200, `attempt ${i}`)
    const blocked = await attempt(uniqueLogin('spray'))
    assert.equal(blocked.status, 429)
    assert.isAbove(Number(blocked.retryAfter), 0)
  })
})

test.group('Login next', () => {
  const hostile = [
    '//evil.example',
    '//evil.example/path',
    'https://evil.example',
    'http:evil.example',
    '/\\evil.example',
    '\\\\evil.example',
    '/.//evil.example',
    '/a/..//evil.example',
    '/%2e%2e//evil.example',
    '/%2F%2Fevil.example',
    '/%5Cevil.example',
    '/\t/evil.example',
    '/\n/evil.example',
    'javascript:alert(1)',
    'JaVaScRiPt:alert(1)',
    'data:text/html,hi',
    'evil.example',
    '',
  ]

  test('a hostile next from the query string falls back to /', async ({ assert }) => {
    const { email, password } = await createUser()
    for (const next of hostile) {
      const browser = new Browser()
      const page = await browser.signIn(email, password, next)
      assert.equal(page.status, 303, JSON.stringify(next))
      assert.equal(page.location, `${BASE_URL}/`, JSON.stringify(next))
    }
  })

  test('a hostile next posted in the form falls back to /', async ({ assert }) => {
    const { email, password } = await createUser()
    for (const next of [...hostile, ['/accounts/grants/', '//evil.example']]) {
      const browser = new Browser()
      const page = await postLogin(browser, { login: email, password, next })
      assert.equal(page.status, 303, JSON.stringify(next))
      assert.equal(page.headers.get('location'), '/', JSON.stringify(next))
    }
  })

  test('the form never echoes a hostile next', async ({ assert }) => {
    for (const next of hostile) {
      const page = await new Browser().get(`${LOGIN}?next=${encodeURIComponent(next)}`)
      assert.deepInclude(
        readForm(page.body, `form[action="${LOGIN}"]`).fields,
        ['next', '/'],
        JSON.stringify(next)
      )
    }
  })

  test('a same-site path with its query and encoding is kept', async ({ assert }) => {
    const { email, password } = await createUser()
    const next =
      '/identity/o/authorize?client_id=abc&redirect_uri=https%3A%2F%2Frp.example%2Fcb&scope=openid+email'
    const page = await new Browser().signIn(email, password, next)
    assert.equal(page.headers.get('location'), next)
  })
})

test.group('Logout', () => {
  test('POST /accounts/logout/ with the form token ends the session', async ({ assert }) => {
    const { email, password } = await createUser()
    const browser = new Browser()
    await browser.signIn(email, password)
    const home = await browser.get('/')
    const page = await browser.submit(readForm(home.body, 'form[action="/accounts/logout/"]'))
    assert.equal(page.status, 303)
    assert.equal(page.location, `${BASE_URL}${LOGIN}`)
    assert.isFalse(await isSignedIn(browser))
  })

  test('it starts back-channel logout for the session', async ({ assert, cleanup }) => {
    const receiver = new BackchannelReceiver()
    cleanup(() => receiver.stop())
    const person = await createUser()
    const rp = await createClient({
      redirectUris: [REDIRECT],
      backchannelLogoutUri: await receiver.start(),
      skipConsent: true,
    })
    const config = await discoverAs(rp, 'basic')
    const browser = new Browser()
    const tokens = await runCodeFlow(config, browser, person)

    const notified = receiver.next()
    const page = await browser.submit(
      readForm((await browser.get('/')).body, 'form[action="/accounts/logout/"]')
    )
    assert.equal(page.status, 303)
    await notified
    assert.lengthOf(receiver.tokens, 1)
    const { payload } = await jwtVerify(
      receiver.tokens[0],
      createRemoteJWKSet(new URL(`${ISSUER}/.well-known/jwks.json`)),
      { issuer: ISSUER, audience: rp.id }
    )
    assert.equal(payload.sid, tokens.claims()!.sid)
  })

  test('without a valid token nothing changes', async ({ assert }) => {
    const { email, password } = await createUser()
    const browser = new Browser()
    await browser.signIn(email, password)
    for (const body of [{}, { _csrf: 'forged-token' }] as Record<string, string>[]) {
      const page = await browser.post('/accounts/logout/', body)
      assert.equal(page.status, 403)
      assertPageHeaders(assert, page)
    }
    assert.isTrue(await isSignedIn(browser))
  })

  test('GET asks before signing out and signs nobody out; its form does (as allauth)', async ({
    assert,
  }) => {
    const { user, email, password } = await createUser()
    const browser = new Browser()
    await browser.signIn(email, password)
    const page = await browser.get('/accounts/logout/')
    assert.equal(page.status, 200)
    assertPageHeaders(assert, page)
    assert.include(pageText(page.body), `You are signed in as ${user.username ?? email}.`)
    assert.include(pageText(page.body), 'Are you sure you want to sign out?')
    assert.isTrue(await isSignedIn(browser), 'a GET (a link, a prefetch) changes nothing')

    const signedOut = await browser.submit(readForm(page.body, 'form[action="/accounts/logout/"]'))
    assert.equal(signedOut.status, 303)
    assert.equal(signedOut.location, new URL(LOGIN, page.url).href)
    assert.isFalse(await isSignedIn(browser))
  })

  test('GET without a session goes to the login page', async ({ assert }) => {
    const page = await new Browser().get('/accounts/logout/')
    assert.equal(page.status, 302)
    assert.equal(page.location, new URL(LOGIN, page.url).href)
  })
})

test.group('Page security headers', () => {
  test('every HTML page forbids framing, referrers and caching', async ({ assert }) => {
    const { email, password } = await createUser()
    const browser = new Browser()
    const pages = [
      await browser.get(LOGIN),
      await browser.signIn(email, 'not-the-password'),
      await browser.get('/'),
      await browser.get('/no/such/page'),
      await browser.request('PUT', LOGIN),
    ]
    await browser.signIn(email, password)
    pages.push(await browser.get('/'), await browser.get(LOGIN))
    for (const page of pages) {
      assert.match(page.headers.get('content-type') ?? '', /^text\/html/, page.url)
      assertPageHeaders(assert, page)
    }
  })

  test('the CSP allows only this site', async ({ assert }) => {
    const csp = (await new Browser().get(LOGIN)).headers.get('content-security-policy')!
    assert.match(csp, /(^|;)\s*default-src 'none'/)
    assert.match(csp, /(^|;)\s*style-src 'self'\s*(;|$)/)
    assert.notMatch(csp, /https?:|\*|'unsafe-inline'|'unsafe-eval'/)
  })

  test('the session cookie is HttpOnly and SameSite=Lax', async ({ assert }) => {
    const { email, password } = await createUser()
    const page = await postLogin(new Browser(), { login: email, password })
    const cookie = page.headers.getSetCookie().find((line) => line.startsWith('oidc-session='))
    assert.exists(cookie)
    assert.match(cookie!, /;\s*HttpOnly/i)
    assert.match(cookie!, /;\s*SameSite=Lax/i)
  })
})

test.group('Unknown routes and methods', () => {
  function assertNoTrace(assert: Assert, page: Page) {
    assert.notMatch(
      page.body,
      /\bat .+:\d+:\d+|node_modules|\/work\/|\.ts\b|E_[A-Z_]+|Cannot (GET|POST)|Stack/i,
      page.url
    )
  }

  test('an unknown page is a 404 HTML page without a trace', async ({ assert }) => {
    for (const path of ['/no/such/page', '/accounts/nothing/', '/static/nothing.css']) {
      const page = await new Browser().get(path)
      assert.equal(page.status, 404, path)
      assert.match(page.headers.get('content-type') ?? '', /^text\/html/)
      assertNoTrace(assert, page)
    }
  })

  test('an unknown API path is a JSON 404 without a trace', async ({ assert }) => {
    for (const path of ['/identity/o/api/nothing', '/.well-known/nothing']) {
      const page = await new Browser().request('POST', path, { a: 'b' })
      assert.equal(page.status, 404, path)
      assert.match(page.headers.get('content-type') ?? '', /^application\/json/)
      assert.equal(JSON.parse(page.body).error, 'not_found')
      assertNoTrace(assert, page)
    }
  })

  test('a wrong method on a known path is a 405 with Allow', async ({ assert }) => {
    const cases: [string, string, RegExp][] = [
      ['PUT', LOGIN, /^text\/html/],
      ['DELETE', LOGIN, /^text\/html/],
      ['PATCH', '/', /^text\/html/],
      ['DELETE', '/.well-known/jwks.json', /^application\/json/],
    ]
    for (const [method, path, type] of cases) {
      const page = await new Browser().request(method, path)
      assert.equal(page.status, 405, `${method} ${path}`)
      assert.match(page.headers.get('content-type') ?? '', type)
      assertNoTrace(assert, page)
    }
    const login = await new Browser().request('PUT', LOGIN)
    assert.sameMembers(login.headers.get('allow')!.split(', '), ['GET', 'HEAD', 'POST'])
    const jwks = await new Browser().request('DELETE', '/.well-known/jwks.json')
    assert.sameMembers(jwks.headers.get('allow')!.split(', '), ['GET', 'HEAD', 'OPTIONS'])
    assert.equal(JSON.parse(jwks.body).error, 'invalid_request')
  })
})
