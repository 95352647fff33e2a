import { test } from '@japa/runner'
import { runBoot, startApp, type AppProcess } from '#tests/helpers/app_process'
import { BASE_URL, Browser, readForm } from '#tests/helpers/browser'
import { createClient, createUser } from '#tests/helpers/factories'
import { authorizeInBrowser } from '#tests/helpers/relying_party'
import { authorizeUrl, basic, pkcePair } from '#tests/helpers/oauth_checks'
import { REDIRECT } from '#tests/helpers/endpoints'
import { until } from '#tests/helpers/until'

const METRICS_TOKEN = 'metrics-token-0123456789abcdef'

type Tokens = Record<'access_token' | 'refresh_token' | 'id_token', string>

const form = (url: string, fields: Record<string, string>, headers: Record<string, string> = {}) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(fields),
  })

async function tokens(app: AppProcess, fields: Record<string, string>): Promise<Tokens> {
  const response = await form(`${app.url}/identity/o/api/token`, fields)
  return (await response.json()) as Tokens
}

async function scrape(app: AppProcess, token: string | null = METRICS_TOKEN) {
  return fetch(`${app.url}/metrics`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  })
}

/** The value of one sample line of a Prometheus text page, or null */
function sample(page: string, line: string): number | null {
  const found = page.split('\n').find((entry) => entry.startsWith(`${line} `))
  return found ? Number(found.slice(line.length + 1)) : null
}

/** The login form, posted with a wrong password */
async function failLogin(browser: Browser, login: string, password: string) {
  const page = await browser.get('/accounts/login/')
  return browser.submit(readForm(page.body, 'form[action="/accounts/login/"]'), { login, password })
}

/** The JSON lines a child logged */
const jsonLines = (app: AppProcess) =>
  app
    .stdout()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line))

test.group('Health endpoints', (group) => {
  group.each.timeout(60_000)

  test('live and ready answer JSON with 200 when the database answers and a key signs', async ({
    assert,
  }) => {
    const live = await fetch(`${BASE_URL}/health/live`)
    assert.equal(live.status, 200)
    assert.deepEqual(await live.json(), { status: 'ok' })

    const ready = await fetch(`${BASE_URL}/health/ready`)
    assert.equal(ready.status, 200)
    assert.equal(ready.headers.get('cache-control'), 'no-store')
    assert.deepEqual(await ready.json(), {
      status: 'ok',
      checks: [
        { name: 'database', status: 'ok' },
        { name: 'signing key', status: 'ok' },
      ],
    })
  })

  test('the probes are JSON paths: no page headers, and their errors in JSON', async ({
    assert,
  }) => {
    const live = await fetch(`${BASE_URL}/health/live`)
    assert.isNull(live.headers.get('content-security-policy'))
    const wrongMethod = await fetch(`${BASE_URL}/health/live`, { method: 'POST' })
    assert.equal(wrongMethod.status, 405)
    assert.equal(wrongMethod.headers.get('allow'), 'GET, HEAD')
    assert.deepEqual(await wrongMethod.json(), {
      error: 'invalid_request',
      error_description: 'Method not allowed.',
    })
    const unknown = await fetch(`${BASE_URL}/health/unknown`)
    assert.equal(unknown.status, 404)
    assert.equal(((await unknown.json()) as { error: string }).error, 'not_found')
  })

  test('with the rate limits in Redis, ready checks Redis: 200 while it answers', async ({
    assert,
    cleanup,
  }) => {
    const app = await startApp({ LIMITER_STORE: 'redis' })
    cleanup(() => app.stop())
    const ready = await fetch(`${app.url}/health/ready`)
    assert.equal(ready.status, 200)
    assert.deepInclude(((await ready.json()) as { checks: object[] }).checks, {
      name: 'redis',
      status: 'ok',
    })
  })

  test('a Redis that does not answer makes ready 503, naming the check; the reason goes to the log', async ({
    assert,
    cleanup,
  }) => {
    const app = await startApp({ LIMITER_STORE: 'redis', REDIS_PORT: '1', LOG_LEVEL: 'warn' })
    cleanup(() => app.stop())
    const ready = await fetch(`${app.url}/health/ready`)
    assert.equal(ready.status, 503)
    assert.deepEqual(await ready.json(), {
      status: 'error',
      checks: [
        { name: 'database', status: 'ok' },
        { name: 'signing key', status: 'ok' },
        { name: 'redis', status: 'error' },
      ],
    })
    const logged = await until(() => jsonLines(app).find((line) => line.msg === 'not ready'))
    assert.equal(logged.check, 'redis')
    assert.isString(logged.reason)

    /* Liveness does not depend on what the process talks to */
    assert.equal((await fetch(`${app.url}/health/live`)).status, 200)
  })
})

test.group('Metrics', (group) => {
  group.each.timeout(60_000)

  test('without METRICS_TOKEN there is no /metrics', async ({ assert }) => {
    const response = await fetch(`${BASE_URL}/metrics`)
    assert.equal(response.status, 404)
    assert.notInclude(await response.text(), 'http_requests_total')
  })

  test('with METRICS_TOKEN, /metrics needs that bearer token', async ({ assert, cleanup }) => {
    const app = await startApp({ METRICS_TOKEN })
    cleanup(() => app.stop())
    for (const token of [null, 'wrong-token-0123456789', `${METRICS_TOKEN}x`]) {
      const refused = await scrape(app, token)
      assert.equal(refused.status, 401)
      assert.equal(refused.headers.get('www-authenticate'), 'Bearer realm="metrics"')
      assert.notInclude(await refused.text(), 'http_requests_total')
    }
    const basicAuth = await fetch(`${app.url}/metrics`, {
      headers: { authorization: basic('prometheus', METRICS_TOKEN) },
    })
    assert.equal(basicAuth.status, 401)
    assert.equal((await scrape(app)).status, 200)
  })

  test('a short METRICS_TOKEN stops the boot', async ({ assert }) => {
    const result = await runBoot({ METRICS_TOKEN: 'short' })
    assert.equal(
      result.stderr,
      'error: METRICS_TOKEN: too short (5 characters); give a random token of 16 characters or more\n'
    )
  })

  test('requests by route pattern and status, tokens by grant, login failures, rate-limit hits, pool use', async ({
    assert,
    cleanup,
  }) => {
    const app = await startApp({
      METRICS_TOKEN,
      IDP_OIDC_RATE_LIMITS: JSON.stringify({ token: '2/m/key' }),
    })
    cleanup(() => app.stop())
    const rp = await createClient({ grantTypes: ['client_credentials'], scopes: ['api'] })
    const tokenRequest = () =>
      form(
        `${app.url}/identity/o/api/token`,
        { grant_type: 'client_credentials', scope: 'api' },
        { authorization: basic(rp.id, rp.secret!) }
      )
    assert.equal((await tokenRequest()).status, 200)
    assert.equal((await tokenRequest()).status, 200)
    assert.equal((await tokenRequest()).status, 429)

    const person = await createUser()
    const refused = await failLogin(new Browser(app.url), person.email, 'not the password')
    assert.equal(refused.status, 200)

    assert.equal((await fetch(`${app.url}/no/such/page/123?x=1`)).status, 404)

    const page = await (await scrape(app)).text()
    const token = '{method="POST",route="/identity/o/api/token",status="200"}'
    assert.equal(sample(page, `http_requests_total${token}`), 2)
    assert.equal(
      sample(page, 'http_requests_total{method="POST",route="/identity/o/api/token",status="429"}'),
      1
    )
    assert.equal(sample(page, `http_request_duration_seconds_count${token}`), 2)
    assert.equal(
      sample(page, 'http_requests_total{method="GET",route="unmatched",status="404"}'),
      1
    )
    assert.notInclude(page, '/no/such/page')
    assert.equal(sample(page, 'oidc_tokens_issued_total{grant_type="client_credentials"}'), 2)
    assert.equal(sample(page, 'oidc_rate_limit_hits_total{action="token"}'), 1)
    assert.equal(sample(page, 'oidc_login_failures_total{reason="bad_credentials"}'), 1)
    const connection = process.env.DB_CONNECTION ?? 'sqlite'
    assert.isNumber(sample(page, `db_pool_connections{connection="${connection}",state="used"}`))
    assert.isNumber(sample(page, `db_pool_connections{connection="${connection}",state="free"}`))
    assert.isNotNull(sample(page, 'process_resident_memory_bytes'))
  })
})

test.group('Logs', (group) => {
  group.each.timeout(60_000)

  test('one access line per request, and no code, token or secret anywhere in the log after a full flow', async ({
    assert,
    cleanup,
  }) => {
    /* The most verbose level: nothing the app or its libraries log may hold a secret */
    const app = await startApp({ LOG_LEVEL: 'trace' })
    cleanup(() => app.stop())
    const person = await createUser()
    const rp = await createClient({ redirectUris: [REDIRECT] })
    const { verifier, challenge } = pkcePair()
    const state = 'state-7a1e5c0d9b'
    const nonce = 'nonce-3f9b2e8a41'
    const browser = new Browser(app.url)

    /* A failed sign-in first: its password must not be logged either */
    const wrongPassword = 'wrong-password-5d1c8e'
    await failLogin(browser, person.email, wrongPassword)

    const leaving = await authorizeInBrowser(
      browser,
      authorizeUrl({
        client_id: rp.id,
        response_type: 'code',
        scope: 'openid profile email',
        redirect_uri: REDIRECT,
        state,
        nonce,
        code_challenge: challenge,
        code_challenge_method: 'S256',
      }),
      person
    )
    const code = new URL(leaving.location!).searchParams.get('code')!
    const credentials = { client_id: rp.id, client_secret: rp.secret! }
    const issued = await tokens(app, {
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT,
      code_verifier: verifier,
      ...credentials,
    })
    const refreshed = await tokens(app, {
      grant_type: 'refresh_token',
      refresh_token: issued.refresh_token,
      ...credentials,
    })
    assert.properties(refreshed, ['access_token', 'refresh_token', 'id_token'])
    const bearer = { authorization: `Bearer ${refreshed.access_token}` }
    assert.equal(
      (await fetch(`${app.url}/identity/o/api/userinfo`, { headers: bearer })).status,
      200
    )
    /* A token in a query string is refused, and must not be logged with the path */
    await fetch(`${app.url}/identity/o/api/userinfo?access_token=${refreshed.access_token}`)
    await form(`${app.url}/identity/o/api/introspect`, {
      token: refreshed.access_token,
      ...credentials,
    })
    await form(`${app.url}/identity/o/api/revoke`, {
      token: refreshed.refresh_token,
      ...credentials,
    })

    const log = await until(() => {
      const text = app.stdout() + app.stderr()
      return text.includes('/identity/o/api/revoke') && text
    })
    const secrets = {
      code,
      verifier,
      state,
      nonce,
      clientSecret: rp.secret!,
      password: person.password,
      wrongPassword,
      accessToken: issued.access_token,
      refreshToken: issued.refresh_token,
      idToken: issued.id_token,
      newAccessToken: refreshed.access_token,
      newRefreshToken: refreshed.refresh_token,
      newIdToken: refreshed.id_token,
    }
    for (const [name, value] of Object.entries(secrets)) {
      assert.notInclude(log, value, `the log holds the ${name}`)
    }

    const access = jsonLines(app).filter((line) => line.http)
    const tokenLines = access.filter((line) => line.http.path === '/identity/o/api/token')
    assert.lengthOf(tokenLines, 2)
    assert.deepInclude(tokenLines[0].http, {
      method: 'POST',
      route: '/identity/o/api/token',
      status: 200,
      ip: '127.0.0.1',
    })
    assert.isNumber(tokenLines[0].http.duration_ms)
    assert.isString(tokenLines[0].request_id)
    for (const line of access) assert.notInclude(line.http.path, '?')
    const authorize = access.find((line) => line.http.route === '/identity/o/authorize')
    assert.equal(authorize.http.path, '/identity/o/authorize')
  })

  test('development logs are readable lines, not JSON', async ({ assert, cleanup }) => {
    const app = await startApp({ NODE_ENV: 'development', LOG_LEVEL: 'info' })
    cleanup(() => app.stop())
    await fetch(`${app.url}/health/live`)
    const line = await until(() =>
      app
        .stdout()
        .split('\n')
        .find((entry) => entry.includes('GET /health/live 200'))
    )
    assert.match(
      line,
      /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO \(adonis-oidc-idp\): GET \/health\/live 200 [\d.]+ms$/
    )
    assert.notInclude(app.stdout(), '{"level"')
  })
})
