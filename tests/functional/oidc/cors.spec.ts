import { test } from '@japa/runner'
import { Browser, type Page } from '#tests/helpers/browser'
import { AUTHORIZE, INTROSPECT, REDIRECT, REVOKE, TOKEN, USERINFO } from '#tests/helpers/endpoints'
import { createClient } from '#tests/helpers/factories'
import { discoverAs, oidc } from '#tests/helpers/relying_party'
import { randomValue } from '#services/oidc/protocol/random'
import { apiPost, codeFlow } from '#tests/helpers/tokens'

const API = [
  { path: TOKEN, methods: 'POST, OPTIONS' },
  { path: REVOKE, methods: 'POST, OPTIONS' },
  { path: INTROSPECT, methods: 'POST, OPTIONS' },
  { path: USERINFO, methods: 'GET, POST, OPTIONS' },
]
const CORS_HEADERS = [
  'access-control-allow-origin',
  'access-control-allow-methods',
  'access-control-allow-headers',
  'access-control-max-age',
  'access-control-allow-credentials',
]

/** An origin no other test registers */
function uniqueOrigin(scheme = 'https', suffix = '.example') {
  return `${scheme}://app-${randomValue(6)
    .toLowerCase()
    .replace(/[^a-z0-9]/g, 'x')}${suffix}`
}

function preflight(path: string, origin: string) {
  return new Browser().request('OPTIONS', path, undefined, {
    'origin': origin,
    'access-control-request-method': 'POST',
    'access-control-request-headers': 'authorization, content-type',
  })
}

function corsHeaders(page: Page) {
  return Object.fromEntries(CORS_HEADERS.map((name) => [name, page.headers.get(name)]))
}

const NO_CORS = Object.fromEntries(CORS_HEADERS.map((name) => [name, null]))

test.group('CORS', () => {
  test('a preflight on {path} from a registered origin gets the CORS headers')
    .with(API)
    .run(async ({ assert }, { path, methods }) => {
      const origin = uniqueOrigin()
      await createClient({ corsOrigins: [`${origin}/some/path`] })
      const page = await preflight(path, origin)
      assert.equal(page.status, 204)
      assert.equal(page.body, '')
      assert.deepEqual(corsHeaders(page), {
        'access-control-allow-origin': origin,
        'access-control-allow-methods': methods,
        'access-control-allow-headers': 'Authorization, Content-Type',
        'access-control-max-age': '600',
        'access-control-allow-credentials': null,
      })
      assert.equal(page.headers.get('vary'), 'Origin')
    })

  test('a preflight on {path} from an unregistered origin is a 204 without CORS headers')
    .with(API)
    .run(async ({ assert }, { path }) => {
      await createClient({ corsOrigins: [uniqueOrigin()] })
      const page = await preflight(path, uniqueOrigin())
      assert.equal(page.status, 204)
      assert.deepEqual(corsHeaders(page), NO_CORS)
      assert.equal(page.headers.get('vary'), 'Origin')
    })

  test('at the token endpoint the authenticated client decides: its own origin only', async ({
    assert,
  }) => {
    const mine = uniqueOrigin()
    const theirs = uniqueOrigin()
    const rp = await createClient({ grantTypes: ['client_credentials'], corsOrigins: [mine] })
    await createClient({ corsOrigins: [theirs] })
    const grant = { grant_type: 'client_credentials' }

    const own = await apiPost(TOKEN, grant, rp, { origin: mine })
    assert.equal(own.status, 200)
    assert.deepEqual(corsHeaders(own), { ...NO_CORS, 'access-control-allow-origin': mine })
    assert.equal(own.headers.get('vary'), 'Origin')

    const foreign = await apiPost(TOKEN, grant, rp, { origin: theirs })
    assert.equal(foreign.status, 200)
    assert.deepEqual(corsHeaders(foreign), NO_CORS, 'another client registered it, not this one')
    assert.equal(foreign.headers.get('vary'), 'Origin')
  })

  test('a client error at the token endpoint is readable from the client origin', async ({
    assert,
  }) => {
    const mine = uniqueOrigin()
    const rp = await createClient({ corsOrigins: [mine] })
    const page = await apiPost(TOKEN, { grant_type: 'client_credentials' }, rp, {
      origin: mine,
    })
    assert.equal(page.status, 400)
    assert.equal(JSON.parse(page.body).error, 'unauthorized_client')
    assert.deepEqual(corsHeaders(page), { ...NO_CORS, 'access-control-allow-origin': mine })
  })

  test('failed client authentication: any client registration counts, so the browser can read the error', async ({
    assert,
  }) => {
    const registered = uniqueOrigin()
    const rp = await createClient({ corsOrigins: [registered] })
    const page = await apiPost(
      TOKEN,
      { grant_type: 'client_credentials' },
      { ...rp, secret: 'wrong' },
      { origin: registered }
    )
    assert.equal(page.status, 401)
    assert.deepEqual(corsHeaders(page), { ...NO_CORS, 'access-control-allow-origin': registered })
    const stranger = await apiPost(
      TOKEN,
      { grant_type: 'client_credentials' },
      { ...rp, secret: 'wrong' },
      { origin: uniqueOrigin() }
    )
    assert.deepEqual(corsHeaders(stranger), NO_CORS)
  })

  test('userinfo answers the origin of the token client only; a bad token lets any registration count', async ({
    assert,
  }) => {
    const mine = uniqueOrigin()
    const theirs = uniqueOrigin()
    const { tokens } = await codeFlow({ client: { corsOrigins: [mine] } })
    await createClient({ corsOrigins: [theirs] })
    const bearer = { authorization: `Bearer ${tokens.access_token}` }

    const own = await new Browser().get(USERINFO, { ...bearer, origin: mine })
    assert.equal(own.status, 200)
    assert.deepEqual(corsHeaders(own), { ...NO_CORS, 'access-control-allow-origin': mine })
    assert.equal(own.headers.get('vary'), 'Origin')

    const foreign = await new Browser().get(USERINFO, {
      ...bearer,
      origin: theirs,
    })
    assert.equal(foreign.status, 200)
    assert.deepEqual(corsHeaders(foreign), NO_CORS)

    const bad = await new Browser().get(USERINFO, {
      authorization: 'Bearer nope',
      origin: theirs,
    })
    assert.equal(bad.status, 401)
    assert.deepEqual(corsHeaders(bad), { ...NO_CORS, 'access-control-allow-origin': theirs })
  })

  test('revoke and introspect answer the authenticated client origin', async ({ assert }) => {
    const mine = uniqueOrigin()
    const theirs = uniqueOrigin()
    const { rp, tokens } = await codeFlow({ client: { corsOrigins: [mine] } })
    await createClient({ corsOrigins: [theirs] })
    for (const path of [INTROSPECT, REVOKE]) {
      const own = await apiPost(path, { token: tokens.access_token }, rp, { origin: mine })
      assert.equal(own.status, 200)
      assert.deepEqual(corsHeaders(own), { ...NO_CORS, 'access-control-allow-origin': mine }, path)
      const foreign = await apiPost(path, { token: tokens.access_token }, rp, { origin: theirs })
      assert.deepEqual(corsHeaders(foreign), NO_CORS, path)
      assert.equal(foreign.headers.get('vary'), 'Origin')
    }
  })

  test('a wildcard origin matches one label, and only with allow_uri_wildcards', async ({
    assert,
  }) => {
    const allowed = uniqueOrigin('https', '')
    const refused = uniqueOrigin('https', '')
    await createClient({
      corsOrigins: [`https://*.${new URL(allowed).host}`],
      allowUriWildcards: true,
    })
    await createClient({
      corsOrigins: [`https://*.${new URL(refused).host}`],
      allowUriWildcards: false,
    })
    const allowedHost = new URL(allowed).host
    const cases: [string, boolean][] = [
      [`https://a.${allowedHost}`, true],
      [`https://a.b.${allowedHost}`, false],
      [`https://${allowedHost}`, false],
      [`http://a.${allowedHost}`, false],
      [`https://a.${new URL(refused).host}`, false],
    ]
    for (const [origin, ok] of cases) {
      const page = await preflight(TOKEN, origin)
      assert.equal(page.headers.get('access-control-allow-origin'), ok ? origin : null, origin)
    }
  })

  test('http origins are allowed only for localhost and 127.0.0.1; ports must match', async ({
    assert,
  }) => {
    const port = 20000 + Math.floor(Math.random() * 20000)
    const plain = uniqueOrigin('http')
    await createClient({
      corsOrigins: [`http://localhost:${port}`, `http://127.0.0.1:${port}`, plain],
    })
    const cases: [string, boolean][] = [
      [`http://localhost:${port}`, true],
      [`http://127.0.0.1:${port}`, true],
      [`http://localhost:${port + 1}`, false],
      [plain, false],
    ]
    for (const [origin, ok] of cases) {
      const page = await preflight(TOKEN, origin)
      assert.equal(page.headers.get('access-control-allow-origin'), ok ? origin : null, origin)
    }
  })

  test('discovery and JWKS are open to every origin', async ({ assert }) => {
    for (const path of ['/.well-known/openid-configuration', '/.well-known/jwks.json']) {
      const get = await new Browser().get(path, { origin: uniqueOrigin() })
      assert.equal(get.status, 200)
      assert.equal(get.headers.get('access-control-allow-origin'), '*')
      const options = await preflight(path, uniqueOrigin())
      assert.equal(options.status, 204)
      assert.equal(options.headers.get('access-control-allow-origin'), '*')
      assert.isNull(options.headers.get('access-control-allow-credentials'))
    }
  })

  test('the authorization endpoint never sends CORS headers (S18)', async ({ assert }) => {
    const origin = uniqueOrigin()
    const rp = await createClient({ corsOrigins: [origin], skipConsent: true })
    const config = await discoverAs(rp, 'basic')
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT,
      scope: 'openid',
      code_challenge: 'x'.repeat(43),
      code_challenge_method: 'S256',
    })
    const get = await new Browser().get(url.href, { origin })
    assert.equal(get.status, 302, 'to the login page')
    assert.deepEqual(corsHeaders(get), NO_CORS)
    const options = await preflight(AUTHORIZE, origin)
    assert.equal(options.status, 405)
    assert.deepEqual(corsHeaders(options), NO_CORS)
    const post = await new Browser().post(AUTHORIZE, { client_id: rp.id }, { origin })
    assert.deepEqual(corsHeaders(post), NO_CORS)
  })
})
