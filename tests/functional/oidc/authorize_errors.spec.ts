/**
 * Negative and abuse tests of the authorization endpoint (docs/endpoints.md#authorization-endpoint,
 * docs/security.md S1-S4, S9, S20, S22, and its sections "Other protections" and "Bad input"): each error is checked for its
 * code, its delivery (400 page, or redirect in the response mode with state
 * and iss), and for leaving no code, token or consent behind.
 */
import { test } from '@japa/runner'
import type { Assert } from '@japa/assert'
import { DateTime } from 'luxon'
import encryption from '@adonisjs/core/services/encryption'
import OidcConsent from '#models/oidc_consent'
import keyStore from '#services/oidc/keys/key_store'
import { readForm, type Page } from '#tests/helpers/browser'
import { AUTHORIZE, REDIRECT } from '#tests/helpers/endpoints'
import { createClient, createUser, type TestClient } from '#tests/helpers/factories'
import { ISSUER } from '#tests/helpers/relying_party'
import {
  RecordingBrowser,
  assertCleanResponses,
  authorizeUrl,
  delivered,
  pkcePair,
  rawHttp,
  rawRequest,
  rowCounts,
  signedIn,
} from '#tests/helpers/oauth_checks'
import { defaultErrorDescription } from '#services/oidc/protocol/errors'

const STATE = 'st ate&=1'
const { challenge: CHALLENGE } = pkcePair()

type Params = Record<string, string | string[] | null>

/** A valid code request for the client, changed by `extra` (null removes a parameter) */
function request(rp: TestClient, extra: Params = {}) {
  return authorizeUrl({
    client_id: rp.id,
    redirect_uri: REDIRECT,
    response_type: 'code',
    scope: 'openid',
    state: STATE,
    code_challenge: CHALLENGE,
    code_challenge_method: 'S256',
    ...extra,
  })
}

function escapeHtml(text: string) {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;')
}

function assertErrorPage(
  assert: Assert,
  page: Page,
  error: string,
  description?: string,
  status = 400
) {
  assert.equal(page.status, status, page.body.slice(0, 500))
  assert.isNull(page.location, 'an error page is never a redirect')
  assert.match(page.headers.get('content-type') ?? '', /^text\/html/)
  assert.include(page.body, '<h1>Something Went Wrong</h1>')
  assert.include(page.body, `<code>${error}</code>`)
  if (description) assert.include(page.body, escapeHtml(description))
  assert.notInclude(page.body, 'rp.example', 'the error page never links to the client')
}

type Expected = {
  error: string
  description?: string
  mode?: 'query' | 'fragment' | 'form_post'
  state?: string | null
  status?: number
}

/** An error redirected to the client in its response mode, with state and iss and nothing else */
function assertRedirectedError(assert: Assert, page: Page, expected: Expected) {
  const mode = expected.mode ?? 'query'
  const answer = delivered(page)
  assert.equal(answer.mode, mode)
  assert.equal(answer.target, REDIRECT)
  assert.equal(page.status, expected.status ?? (mode === 'form_post' ? 200 : 302))
  if (mode !== 'form_post') assert.equal(page.body, '')
  assert.equal(answer.params.get('error'), expected.error)
  /* Every error explains itself */
  const description = answer.params.get('error_description')
  if (expected.description) assert.equal(description, expected.description)
  else assert.isNotEmpty(description)
  assert.equal(answer.params.get('state'), expected.state === undefined ? STATE : expected.state)
  assert.equal(answer.params.get('iss'), ISSUER)
  for (const secret of ['code', 'access_token', 'id_token'])
    assert.isFalse(answer.params.has(secret), `no ${secret} with an error`)
}

/** The login gate (docs/endpoints.md#html-pages), returning its `next` */
function assertLoginGate(assert: Assert, page: Page, status = 302) {
  assert.equal(page.status, status)
  const location = new URL(page.location!)
  assert.equal(location.pathname, '/accounts/login/')
  return location.searchParams.get('next')!
}

/** Runs `action` and checks that the client's codes, tokens and consents did not change */
async function writesNothing<T>(
  assert: Assert,
  rp: TestClient,
  action: () => Promise<T>
): Promise<T> {
  const before = await rowCounts(rp.id)
  const result = await action()
  assert.deepEqual(await rowCounts(rp.id), before, 'nothing was written')
  return result
}

async function hint(claims: Record<string, unknown>) {
  const iat = Math.floor(Date.now() / 1000)
  return keyStore.sign({ iss: ISSUER, iat, exp: iat + 300, ...claims }, 'JWT')
}

test.group('Authorize: unredirectable errors are a 400 page (stage A, S2)', (group) => {
  group.each.teardown(assertCleanResponses)

  test('unknown client_id', async ({ assert }) => {
    const rp = await createClient()
    const page = await new RecordingBrowser().get(request(rp, { client_id: 'no-such-client' }))
    assertErrorPage(assert, page, 'invalid_request', 'Invalid client_id parameter value.')
  })

  test('missing client_id', async ({ assert }) => {
    const rp = await createClient()
    const page = await new RecordingBrowser().get(request(rp, { client_id: null }))
    assertErrorPage(assert, page, 'invalid_request', 'Missing client_id parameter.')
    const empty = await new RecordingBrowser().get(request(rp, { client_id: '' }))
    assertErrorPage(assert, empty, 'invalid_request', 'Missing client_id parameter.')
  })

  test('missing redirect_uri (there is no default)', async ({ assert }) => {
    const rp = await createClient()
    assertErrorPage(
      assert,
      await new RecordingBrowser().get(request(rp, { redirect_uri: null })),
      'invalid_request',
      'Missing redirect URI.'
    )
  })

  test('relative redirect_uri', async ({ assert }) => {
    const rp = await createClient()
    for (const uri of ['/callback', 'rp.example/callback', '//rp.example/callback']) {
      assertErrorPage(
        assert,
        await new RecordingBrowser().get(request(rp, { redirect_uri: uri })),
        'invalid_request',
        'Invalid redirect URI.'
      )
    }
  })

  test('mismatching redirect_uri: {$self}')
    .with([
      'https://rp.example/callback?extra=1',
      'https://rp.example/callback#frag',
      'https://rp.example/callback#',
      'https://rp.example:8443/callback',
      'http://rp.example/callback',
      'https://evil.example/callback',
      'https://rp.example.evil.example/callback',
      'https://rp.example/callback/',
      'https://rp.example/Callback',
      'https://rp.example/callback/../callback2',
      'https://user@rp.example/callback',
    ])
    .run(async ({ assert }, uri) => {
      const rp = await createClient({ redirectUris: [REDIRECT] })
      const page = await new RecordingBrowser().get(request(rp, { redirect_uri: uri }))
      assertErrorPage(assert, page, 'invalid_request', 'Mismatching redirect URI.')
    })

  test('a registered query must be identical', async ({ assert }) => {
    const rp = await createClient({ redirectUris: ['https://rp.example/cb?tenant=a'] })
    for (const uri of [
      'https://rp.example/cb',
      'https://rp.example/cb?tenant=b',
      'https://rp.example/cb?tenant=a&x=1',
      'https://rp.example/cb?x=1&tenant=a',
    ]) {
      assertErrorPage(
        assert,
        await new RecordingBrowser().get(request(rp, { redirect_uri: uri })),
        'invalid_request',
        'Mismatching redirect URI.'
      )
    }
    /* an accepted URI passes stage A: the anonymous visitor reaches the login gate */
    assertLoginGate(
      assert,
      await new RecordingBrowser().get(
        request(rp, { redirect_uri: 'https://rp.example/cb?tenant=a' })
      )
    )
  })

  test('scheme and host case and the default port do not matter', async ({ assert }) => {
    const rp = await createClient({ redirectUris: [REDIRECT] })
    for (const uri of ['HTTPS://RP.EXAMPLE/callback', 'https://rp.example:443/callback']) {
      assertLoginGate(assert, await new RecordingBrowser().get(request(rp, { redirect_uri: uri })))
    }
  })

  test('loopback IPs match any port; localhost does not (docs/endpoints.md#uri-matching)', async ({
    assert,
  }) => {
    const rp = await createClient({
      redirectUris: ['http://127.0.0.1/cb', 'http://[::1]:9000/cb', 'http://localhost:8000/cb'],
    })
    for (const uri of [
      'http://127.0.0.1:53124/cb',
      'http://127.0.0.1/cb',
      'http://[::1]:1234/cb',
      'http://localhost:8000/cb',
    ]) {
      assertLoginGate(assert, await new RecordingBrowser().get(request(rp, { redirect_uri: uri })))
    }
    for (const uri of [
      'http://localhost:8001/cb',
      'http://127.0.0.1:53124/other',
      'https://127.0.0.1:53124/cb',
      'http://127.0.0.2:53124/cb',
      'http://[::1]:1234/cb?x',
    ]) {
      assertErrorPage(
        assert,
        await new RecordingBrowser().get(request(rp, { redirect_uri: uri })),
        'invalid_request',
        'Mismatching redirect URI.'
      )
    }
  })

  test('wildcard hosts match one label, and only when allowed', async ({ assert }) => {
    const wild = await createClient({
      redirectUris: ['https://*.example.com/cb', 'https://rp.example/*/cb'],
      allowUriWildcards: true,
    })
    assertLoginGate(
      assert,
      await new RecordingBrowser().get(request(wild, { redirect_uri: 'https://a.example.com/cb' }))
    )
    assertLoginGate(
      assert,
      await new RecordingBrowser().get(request(wild, { redirect_uri: 'https://rp.example/*/cb' }))
    )
    for (const uri of [
      'https://a.b.example.com/cb',
      'https://example.com/cb',
      'https://evil-example.com/cb',
      'https://a.example.com/cb2',
      'https://rp.example/x/cb',
    ]) {
      assertErrorPage(
        assert,
        await new RecordingBrowser().get(request(wild, { redirect_uri: uri })),
        'invalid_request',
        'Mismatching redirect URI.'
      )
    }
    const tame = await createClient({ redirectUris: ['https://*.example.com/cb'] })
    assertErrorPage(
      assert,
      await new RecordingBrowser().get(request(tame, { redirect_uri: 'https://a.example.com/cb' })),
      'invalid_request',
      'Mismatching redirect URI.'
    )
  })

  test('duplicate {$self} is a page, before the login gate')
    .with(['client_id', 'redirect_uri', 'response_type', 'scope', 'state'])
    .run(async ({ assert }, name) => {
      const rp = await createClient({ redirectUris: [REDIRECT] })
      const value = {
        client_id: rp.id,
        redirect_uri: REDIRECT,
        response_type: 'code',
        scope: 'openid',
        state: STATE,
      }[name]!
      const page = await new RecordingBrowser().get(request(rp, { [name]: [value, value] }))
      assertErrorPage(assert, page, 'invalid_request', `Duplicate ${name} parameter.`)
    })

  test('stage A errors are pages even for a signed-in user with prompt=none', async ({
    assert,
  }) => {
    const { browser } = await signedIn()
    const rp = await createClient({ redirectUris: [REDIRECT] })
    await writesNothing(assert, rp, async () => {
      assertErrorPage(
        assert,
        await browser.get(request(rp, { redirect_uri: 'https://evil.example/cb', prompt: 'none' })),
        'invalid_request',
        'Mismatching redirect URI.'
      )
      assertErrorPage(
        assert,
        await browser.get(request(rp, { client_id: 'unknown', prompt: 'none' })),
        'invalid_request',
        'Invalid client_id parameter value.'
      )
      assertErrorPage(
        assert,
        await browser.get(request(rp, { state: ['a', 'b'], prompt: 'none' })),
        'invalid_request',
        'Duplicate state parameter.'
      )
    })
  })

  test('broken percent-encoding in the query: {$self}')
    .with([
      'client_id=%ZZ',
      'client_id=abc%',
      'state=%E0%A4%A',
      'state=%FF%FE',
      'redirect_uri=https%3A%2F%2Frp.example%2Fcallback%C0%AF',
    ])
    .run(async ({ assert }, broken) => {
      const rp = await createClient({ redirectUris: [REDIRECT] })
      const { browser } = await signedIn()
      const page = await browser.get(`${request(rp)}&${broken}`)
      assertErrorPage(assert, page, 'invalid_request')
    })

  test('raw bytes that are not UTF-8 in the query', async ({ assert }) => {
    const rp = await createClient({ redirectUris: [REDIRECT] })
    const head = Buffer.concat([
      Buffer.from(`GET ${request(rp)}&state=`),
      Buffer.from([0xff, 0xfe]),
      Buffer.from(' HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n'),
    ])
    const { status, response } = await rawHttp(head)
    /* refused before the app (Node's HTTP parser), but never a redirect or a 500 */
    assert.equal(status, 400, response)
    assert.notInclude(response, 'Location:')
  })

  test('an HTML error page carries the page security headers', async ({ assert }) => {
    const page = await new RecordingBrowser().get(`${AUTHORIZE}?client_id=nope`)
    assert.equal(page.headers.get('x-frame-options'), 'DENY')
    assert.equal(page.headers.get('referrer-policy'), 'no-referrer')
    assert.include(page.headers.get('content-security-policy') ?? '', "frame-ancestors 'none'")
    assert.isNull(page.headers.get('access-control-allow-origin'))
  })
})

test.group('Authorize: nothing reaches the client before sign-in (S3)', (group) => {
  group.each.teardown(assertCleanResponses)

  test('anonymous requests with stage C errors go to the login gate: {name}')
    .with([
      { name: 'response_type=none', extra: { response_type: 'none' } },
      { name: 'no response_type', extra: { response_type: null } },
      { name: 'unknown scope', extra: { scope: 'openid admin' } },
      { name: 'plain PKCE', extra: { code_challenge_method: 'plain' } },
      { name: 'bad max_age', extra: { max_age: 'soon' } },
      { name: 'bad claims', extra: { claims: '[1]' } },
      { name: 'request object', extra: { request: 'eyJ' } },
      { name: 'token in query mode', extra: { response_mode: 'query', response_type: 'token' } },
    ] as { name: string; extra: Params }[])
    .run(async ({ assert }, { extra }) => {
      const rp = await createClient({ redirectUris: [REDIRECT] })
      const url = request(rp, extra)
      const page = await writesNothing(assert, rp, () => new RecordingBrowser().get(url))
      assert.equal(assertLoginGate(assert, page), url, 'next is the request, unchanged')
    })

  test('the login gate keeps login_hint for the login form', async ({ assert }) => {
    const rp = await createClient({ redirectUris: [REDIRECT] })
    const page = await new RecordingBrowser().get(request(rp, { login_hint: 'ada@example.com' }))
    assertLoginGate(assert, page)
    assert.equal(new URL(page.location!).searchParams.get('login'), 'ada@example.com')
  })

  test('prompt=none without a session: login_required, redirected', async ({ assert }) => {
    const rp = await createClient({ redirectUris: [REDIRECT] })
    const page = await writesNothing(assert, rp, () =>
      new RecordingBrowser().get(request(rp, { prompt: 'none' }))
    )
    assertRedirectedError(assert, page, { error: 'login_required' })
  })

  test('prompt=none without a session on an implicit type: login_required in the fragment', async ({
    assert,
  }) => {
    const rp = await createClient({ redirectUris: [REDIRECT], responseTypes: ['id_token token'] })
    const page = await new RecordingBrowser().get(
      request(rp, {
        response_type: 'id_token token',
        nonce: 'n',
        prompt: 'none',
        code_challenge: null,
        code_challenge_method: null,
      })
    )
    assertRedirectedError(assert, page, { error: 'login_required', mode: 'fragment' })
  })

  test('prompt=login shows the login form even when signed in, and does not loop', async ({
    assert,
  }) => {
    const { person, browser } = await signedIn()
    const rp = await createClient({ redirectUris: [REDIRECT] })
    const page = await writesNothing(assert, rp, () =>
      browser.get(request(rp, { prompt: 'login consent' }))
    )
    const next = new URL(assertLoginGate(assert, page), ISSUER)
    assert.equal(next.pathname, AUTHORIZE)
    assert.equal(next.searchParams.get('prompt'), 'consent', 'login is removed from prompt')
    assert.equal(next.searchParams.get('state'), STATE)

    const login = await browser.get(page.location!)
    assert.equal(login.status, 200)
    assert.include(login.body, 'name="password"')
    const back = await browser.submit(readForm(login.body, 'form[action="/accounts/login/"]'), {
      login: person.email,
      password: person.password,
    })
    const consent = await browser.follow(back)
    assert.equal(consent.status, 200)
    assert.include(consent.body, 'name="request"')

    const onlyLogin = await browser.get(request(rp, { prompt: 'login' }))
    assert.isNull(
      new URL(assertLoginGate(assert, onlyLogin), ISSUER).searchParams.get('prompt'),
      'an empty prompt is dropped'
    )
  })

  test('an exceeded max_age forces the login page; next has no max_age', async ({ assert }) => {
    const { person, browser } = await signedIn()
    const rp = await createClient({ redirectUris: [REDIRECT] })
    const page = await browser.get(request(rp, { max_age: '0' }))
    const next = new URL(assertLoginGate(assert, page), ISSUER)
    assert.isFalse(next.searchParams.has('max_age'))
    const login = await browser.get(page.location!)
    const back = await browser.submit(readForm(login.body, 'form[action="/accounts/login/"]'), {
      login: person.email,
      password: person.password,
    })
    const consent = await browser.follow(back)
    assert.equal(consent.status, 200)
    assert.include(consent.body, 'name="request"')

    const recent = await browser.get(request(rp, { max_age: '3600' }))
    assert.equal(recent.status, 200, 'a session younger than max_age is not asked again')
  })

  test('prompt=none with an exceeded max_age: login_required', async ({ assert }) => {
    const { browser } = await signedIn()
    const rp = await createClient({ redirectUris: [REDIRECT], skipConsent: true })
    const page = await writesNothing(assert, rp, () =>
      browser.get(request(rp, { prompt: 'none', max_age: '0' }))
    )
    assertRedirectedError(assert, page, { error: 'login_required' })
  })
})

test.group('Authorize: redirected errors (stage C)', (group) => {
  let browser: RecordingBrowser
  group.setup(async () => {
    browser = (await signedIn()).browser
  })
  group.each.teardown(assertCleanResponses)

  async function expectError(
    assert: Assert,
    clientOptions: Parameters<typeof createClient>[0],
    extra: Params,
    expected: Expected
  ) {
    const rp = await createClient({ redirectUris: [REDIRECT], ...clientOptions })
    const page = await writesNothing(assert, rp, () => browser.get(request(rp, extra)))
    assertRedirectedError(assert, page, expected)
    return page
  }

  test('missing response_type', async ({ assert }) => {
    await expectError(
      assert,
      {},
      { response_type: null },
      { error: 'invalid_request', description: 'Missing response_type parameter.' }
    )
  })

  test('unsupported response_type {$self}')
    .with(['none', 'code foo', 'code code', 'Code', 'token id_token code extra', 'code+id_token'])
    .run(async ({ assert }, type) => {
      await expectError(assert, {}, { response_type: type }, { error: 'unsupported_response_type' })
    })

  test('unsupported response_type with response_mode=fragment uses the fragment', async ({
    assert,
  }) => {
    await expectError(
      assert,
      {},
      { response_type: 'none', response_mode: 'fragment' },
      { error: 'unsupported_response_type', mode: 'fragment' }
    )
  })

  test('a response type not registered for the client: unauthorized_client ({type})')
    .with([
      { type: 'token', mode: 'fragment' },
      { type: 'id_token', mode: 'fragment' },
      { type: 'code id_token', mode: 'fragment' },
    ] as const)
    .run(async ({ assert }, { type, mode }) => {
      await expectError(
        assert,
        { responseTypes: ['code'] },
        { response_type: type, nonce: 'n' },
        { error: 'unauthorized_client', mode }
      )
    })

  test('a code-only request to a token-only client: unauthorized_client in the query', async ({
    assert,
  }) => {
    await expectError(
      assert,
      { responseTypes: ['token'] },
      {},
      { error: 'unauthorized_client', mode: 'query' }
    )
  })

  test('response_mode=query for a token-bearing type is refused ({$self})')
    .with(['token', 'id_token', 'code id_token', 'id_token code token'])
    .run(async ({ assert }, type) => {
      const page = await expectError(
        assert,
        { responseTypes: ['token', 'id_token', 'code id_token', 'code id_token token'] },
        { response_type: type, response_mode: 'query', nonce: 'n' },
        { error: 'invalid_request' }
      )
      assert.isEmpty(new URL(page.location!).hash)
    })

  test('an unknown response_mode is ignored (compat)', async ({ assert }) => {
    const rp = await createClient({ redirectUris: [REDIRECT] })
    const page = await browser.get(request(rp, { response_mode: 'jwt' }))
    assert.equal(page.status, 200)
    assert.include(page.body, 'name="request"')
  })

  test('duplicated OAuth parameter {$self}: invalid_request, redirected')
    .with([
      'nonce',
      'prompt',
      'max_age',
      'code_challenge',
      'code_challenge_method',
      'response_mode',
      'claims',
      'id_token_hint',
      'login_hint',
    ])
    .run(async ({ assert }, name) => {
      const values: Record<string, string> = {
        nonce: 'n',
        prompt: 'consent',
        max_age: '60',
        code_challenge: CHALLENGE,
        code_challenge_method: 'S256',
        response_mode: 'query',
        claims: '{}',
        id_token_hint: 'x',
        login_hint: 'a',
      }
      await expectError(
        assert,
        {},
        { [name]: [values[name], values[name]] },
        { error: 'invalid_request', description: `Duplicate ${name} parameter.` }
      )
    })

  test('a repeated unknown parameter is ignored', async ({ assert }) => {
    const rp = await createClient({ redirectUris: [REDIRECT] })
    const page = await browser.get(request(rp, { foo: ['1', '2'] }))
    assert.equal(page.status, 200)
  })

  test('request objects are not supported', async ({ assert }) => {
    await expectError(
      assert,
      {},
      { request: 'eyJhbGciOiJub25lIn0.e30.' },
      { error: 'request_not_supported' }
    )
    await expectError(
      assert,
      {},
      { request_uri: 'https://rp.example/request.jwt' },
      { error: 'request_uri_not_supported' }
    )
  })

  test('invalid scope: {$self}')
    .with([
      'openid admin',
      'openid  profile',
      ' openid',
      'openid ',
      'openid "x"',
      'openid\\x',
      'phone',
    ])
    .run(async ({ assert }, scope) => {
      await expectError(assert, {}, { scope }, { error: 'invalid_scope' })
    })

  test('no scope and no default scopes: invalid_scope', async ({ assert }) => {
    await expectError(assert, { defaultScopes: [] }, { scope: null }, { error: 'invalid_scope' })
    await expectError(assert, { defaultScopes: [] }, { scope: '' }, { error: 'invalid_scope' })
  })

  test('openid missing for a type that returns an ID token', async ({ assert }) => {
    await expectError(
      assert,
      { responseTypes: ['id_token', 'code id_token'] },
      { response_type: 'id_token', scope: 'profile', nonce: 'n' },
      { error: 'invalid_request', mode: 'fragment' }
    )
    await expectError(
      assert,
      { responseTypes: ['code id_token'] },
      { response_type: 'code id_token', scope: 'profile', nonce: 'n' },
      { error: 'invalid_request', mode: 'fragment' }
    )
  })

  test('PKCE: a public client without code_challenge', async ({ assert }) => {
    await expectError(
      assert,
      { type: 'public' },
      { code_challenge: null, code_challenge_method: null },
      { error: 'invalid_request', description: 'Code challenge required.' }
    )
  })

  test('PKCE: an unknown method', async ({ assert }) => {
    for (const method of ['S512', 's256', 'none']) {
      await expectError(
        assert,
        {},
        { code_challenge_method: method },
        { error: 'invalid_request', description: 'Transform algorithm not supported.' }
      )
    }
  })

  test('PKCE: plain is refused without IDP_OIDC_PKCE_ALLOW_PLAIN, given or defaulted', async ({
    assert,
  }) => {
    await expectError(assert, {}, { code_challenge_method: 'plain' }, { error: 'invalid_request' })
    await expectError(
      assert,
      { type: 'public' },
      { code_challenge_method: null },
      { error: 'invalid_request' }
    )
  })

  test('PKCE: bad challenge syntax {$self}')
    .with([
      'short',
      'a'.repeat(42),
      'a'.repeat(129),
      `${'a'.repeat(42)}+`,
      `${'a'.repeat(42)}=`,
      `${'a'.repeat(42)} `,
    ])
    .run(async ({ assert }, challenge) => {
      await expectError(assert, {}, { code_challenge: challenge }, { error: 'invalid_request' })
    })

  test('a missing nonce for {$self}')
    .with(['id_token', 'id_token token', 'code id_token', 'code id_token token'])
    .run(async ({ assert }, type) => {
      await expectError(
        assert,
        { responseTypes: [type] },
        { response_type: type },
        {
          error: 'invalid_request',
          description: 'Request is missing mandatory nonce parameter.',
          mode: 'fragment',
        }
      )
    })

  test('prompt=none mixed with {$self}')
    .with(['login', 'consent', 'select_account'])
    .run(async ({ assert }, other) => {
      await expectError(
        assert,
        { skipConsent: true },
        { prompt: `none ${other}` },
        {
          error: 'invalid_request',
          description: 'Prompt none is mutually exclusive with other values.',
        }
      )
    })

  test('an unknown prompt value is ignored', async ({ assert }) => {
    const rp = await createClient({ redirectUris: [REDIRECT], skipConsent: true })
    const page = await browser.get(request(rp, { prompt: 'select_account' }))
    assert.isTrue(delivered(page).params.has('code'))
  })

  test('max_age {$self} is not a non-negative integer')
    .with(['abc', '-1', '1.5', '1e3', ' 60', '0x10'])
    .run(async ({ assert }, maxAge) => {
      await expectError(assert, {}, { max_age: maxAge }, { error: 'invalid_request' })
    })

  test('claims {$self} is not a JSON object')
    .with(['[1]', 'null', '"x"', '42', '{bad', '{"id_token":'])
    .run(async ({ assert }, claims) => {
      await expectError(assert, {}, { claims }, { error: 'invalid_request' })
    })

  test('without state, the error has no state', async ({ assert }) => {
    await expectError(
      assert,
      {},
      { state: null, response_type: 'none' },
      { error: 'unsupported_response_type', state: null }
    )
    await expectError(
      assert,
      {},
      { state: '', response_type: 'none' },
      { error: 'unsupported_response_type', state: null }
    )
  })

  test('an error keeps the registered query of the redirect URI', async ({ assert }) => {
    const rp = await createClient({ redirectUris: ['https://rp.example/callback?tenant=a'] })
    const page = await browser.get(
      request(rp, { redirect_uri: 'https://rp.example/callback?tenant=a', response_type: 'none' })
    )
    const location = new URL(page.location!)
    assert.equal(location.searchParams.get('tenant'), 'a')
    assert.equal(location.searchParams.get('error'), 'unsupported_response_type')
  })

  test('errors use response_mode=form_post', async ({ assert }) => {
    const rp = await createClient({
      redirectUris: [REDIRECT],
      responseTypes: ['code', 'code id_token'],
    })
    const page = await writesNothing(assert, rp, () =>
      browser.get(request(rp, { response_mode: 'form_post', scope: 'openid admin' }))
    )
    assertRedirectedError(assert, page, { error: 'invalid_scope', mode: 'form_post' })
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/)
    assert.include(page.body, `action="${REDIRECT}"`)
    assert.include(page.body, escapeHtml(STATE))
    const hybrid = await browser.get(
      request(rp, { response_mode: 'form_post', response_type: 'code id_token' })
    )
    assertRedirectedError(assert, hybrid, {
      error: 'invalid_request',
      description: 'Request is missing mandatory nonce parameter.',
      mode: 'form_post',
    })
  })
})

test.group('Authorize: prompt=none and remembered consent', (group) => {
  group.each.teardown(assertCleanResponses)

  async function consentFor(
    userId: number,
    clientId: string,
    scopes: string[],
    expiresAt = DateTime.utc().plus({ days: 1 })
  ) {
    await OidcConsent.create({ userId, clientId, scopes, email: null, expiresAt })
  }

  test('without consent: consent_required', async ({ assert }) => {
    const { browser } = await signedIn()
    const rp = await createClient({ redirectUris: [REDIRECT] })
    const page = await writesNothing(assert, rp, () => browser.get(request(rp, { prompt: 'none' })))
    assertRedirectedError(assert, page, { error: 'consent_required' })
  })

  test("with this client's remembered consent: a code is issued", async ({ assert }) => {
    const { person, browser } = await signedIn()
    const rp = await createClient({ redirectUris: [REDIRECT] })
    await consentFor(person.user.id, rp.id, ['openid', 'email'])
    const page = await browser.get(request(rp, { prompt: 'none', scope: 'openid email' }))
    assert.equal(page.status, 302)
    const answer = delivered(page)
    assert.match(answer.params.get('code') ?? '', /^[A-Za-z0-9_-]{43}$/)
    assert.equal(answer.params.get('state'), STATE)
    assert.equal(answer.params.get('iss'), ISSUER)
    assert.equal((await rowCounts(rp.id)).codes, 1)
  })

  test('consent that does not cover every scope, or has expired: consent_required', async ({
    assert,
  }) => {
    const { person, browser } = await signedIn()
    const rp = await createClient({ redirectUris: [REDIRECT] })
    await consentFor(person.user.id, rp.id, ['openid'])
    assertRedirectedError(
      assert,
      await browser.get(request(rp, { prompt: 'none', scope: 'openid email' })),
      { error: 'consent_required' }
    )
    const other = await createClient({ redirectUris: [REDIRECT] })
    await consentFor(person.user.id, other.id, ['openid'], DateTime.utc().minus({ minutes: 1 }))
    assertRedirectedError(assert, await browser.get(request(other, { prompt: 'none' })), {
      error: 'consent_required',
    })
  })

  test("another client's consent does not count", async ({ assert }) => {
    const { person, browser } = await signedIn()
    const rp = await createClient({ redirectUris: [REDIRECT] })
    const other = await createClient({ redirectUris: [REDIRECT] })
    await consentFor(person.user.id, other.id, ['openid', 'profile', 'email'])
    const page = await writesNothing(assert, rp, () => browser.get(request(rp, { prompt: 'none' })))
    assertRedirectedError(assert, page, { error: 'consent_required' })
  })

  test("another user's consent does not count", async ({ assert }) => {
    const { browser } = await signedIn()
    const someone = await createUser()
    const rp = await createClient({ redirectUris: [REDIRECT] })
    await consentFor(someone.user.id, rp.id, ['openid'])
    assertRedirectedError(assert, await browser.get(request(rp, { prompt: 'none' })), {
      error: 'consent_required',
    })
  })
})

test.group('Authorize: id_token_hint and requested sub', (group) => {
  group.each.teardown(assertCleanResponses)

  test('a hint for another user: login_required', async ({ assert }) => {
    const { browser } = await signedIn()
    const someone = await createUser()
    const rp = await createClient({ redirectUris: [REDIRECT], skipConsent: true })
    const idTokenHint = await hint({ sub: String(someone.user.id), aud: rp.id })
    const page = await writesNothing(assert, rp, () =>
      browser.get(request(rp, { id_token_hint: idTokenHint }))
    )
    assertRedirectedError(assert, page, {
      error: 'login_required',
      description: 'Session user does not match client supplied user.',
    })
    const silent = await browser.get(request(rp, { id_token_hint: idTokenHint, prompt: 'none' }))
    assertRedirectedError(assert, silent, {
      error: 'login_required',
      description: 'Session user does not match client supplied user.',
    })
  })

  test('an expired hint for the session user is accepted (ours)', async ({ assert }) => {
    const { person, browser } = await signedIn()
    const rp = await createClient({ redirectUris: [REDIRECT], skipConsent: true })
    const past = Math.floor(Date.now() / 1000) - 86400
    const idTokenHint = await hint({
      sub: String(person.user.id),
      aud: rp.id,
      iat: past,
      exp: past + 300,
    })
    const page = await browser.get(request(rp, { id_token_hint: idTokenHint, prompt: 'none' }))
    assert.isTrue(delivered(page).params.has('code'))
  })

  test('a badly signed hint, or one for another audience or issuer: login_required', async ({
    assert,
  }) => {
    const { person, browser } = await signedIn()
    const rp = await createClient({ redirectUris: [REDIRECT], skipConsent: true })
    const sub = String(person.user.id)
    const good = await hint({ sub, aud: rp.id })
    const [header, payload, signature] = good.split('.')
    const flipped =
      signature.slice(0, 20) + (signature[20] === 'A' ? 'B' : 'A') + signature.slice(21)
    const forged = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), sub: '999999' })
    ).toString('base64url')
    const unsigned = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${payload}.`
    const bad = [
      `${header}.${payload}.${flipped}`,
      `${header}.${forged}.${signature}`,
      unsigned,
      'not-a-jwt',
      await hint({ sub, aud: 'another-client' }),
      await hint({ sub, aud: rp.id, iss: 'https://evil.example' }),
    ]
    for (const idTokenHint of bad) {
      const page = await writesNothing(assert, rp, () =>
        browser.get(request(rp, { id_token_hint: idTokenHint }))
      )
      assertRedirectedError(assert, page, { error: 'login_required' })
    }
  })

  test('claims naming another sub: login_required', async ({ assert }) => {
    const { person, browser } = await signedIn()
    const rp = await createClient({ redirectUris: [REDIRECT], skipConsent: true })
    for (const member of ['id_token', 'userinfo']) {
      const claims = JSON.stringify({ [member]: { sub: { value: `${person.user.id}0` } } })
      const page = await writesNothing(assert, rp, () => browser.get(request(rp, { claims })))
      assertRedirectedError(assert, page, {
        error: 'login_required',
        description: 'Session user does not match client supplied user.',
      })
    }
    const own = await browser.get(
      request(rp, {
        claims: JSON.stringify({ id_token: { sub: { value: String(person.user.id) } } }),
      })
    )
    assert.isTrue(delivered(own).params.has('code'))
  })
})

test.group('Authorize: POST and the consent form', (group) => {
  group.each.teardown(assertCleanResponses)

  async function consentPage(options: Parameters<typeof createClient>[0] = {}, extra: Params = {}) {
    const { person, browser } = await signedIn()
    const rp = await createClient({ redirectUris: [REDIRECT], ...options })
    const page = await browser.get(request(rp, extra))
    if (page.status !== 200) throw new Error(`no consent page: ${page.status} ${page.location}`)
    return {
      person,
      browser,
      rp,
      page,
      form: readForm(page.body, 'form[action="/identity/o/authorize"]'),
    }
  }

  test('an authorization request sent by POST is a 303 to the GET form', async ({ assert }) => {
    const rp = await createClient({ redirectUris: [REDIRECT] })
    const browser = new RecordingBrowser()
    const params = {
      client_id: rp.id,
      redirect_uri: REDIRECT,
      response_type: 'code',
      scope: 'openid',
      state: STATE,
    }
    const page = await writesNothing(assert, rp, () => browser.post(AUTHORIZE, params))
    assert.equal(page.status, 303)
    const location = new URL(page.location!)
    assert.equal(location.pathname, AUTHORIZE)
    assert.deepEqual(Object.fromEntries(location.searchParams), params)
    assertLoginGate(assert, await browser.get(page.location!))
  })

  test('Cancel: access_denied with state and iss, no code, nothing written', async ({ assert }) => {
    const { browser, rp, form } = await consentPage()
    const page = await writesNothing(assert, rp, () => browser.submit(form, { action: 'cancel' }))
    assertRedirectedError(assert, page, {
      error: 'access_denied',
      description: defaultErrorDescription('access_denied'),
      status: 303,
    })
  })

  test('Cancel on an implicit type answers in the fragment', async ({ assert }) => {
    const { browser, rp, form } = await consentPage(
      { responseTypes: ['id_token token'] },
      {
        response_type: 'token id_token',
        nonce: 'n',
        code_challenge: null,
        code_challenge_method: null,
      }
    )
    const page = await writesNothing(assert, rp, () => browser.submit(form, { action: 'deny' }))
    assertRedirectedError(assert, page, {
      error: 'access_denied',
      description: defaultErrorDescription('access_denied'),
      status: 303,
      mode: 'fragment',
    })
  })

  test('a tampered request blob: 403 page, nothing written', async ({ assert }) => {
    const { browser, rp, form } = await consentPage()
    const blob = form.fields.find(([name]) => name === 'request')![1]
    const middle = Math.floor(blob.length / 3)
    const tampered =
      blob.slice(0, middle) + (blob[middle] === 'a' ? 'b' : 'a') + blob.slice(middle + 1)
    for (const value of [tampered, `${blob}x`, 'garbage', '']) {
      const page = await writesNothing(assert, rp, () =>
        browser.submit(form, { action: 'grant', request: value })
      )
      assertErrorPage(assert, page, 'forbidden', undefined, 403)
    }
  })

  test('an expired request blob: 400 page, nothing written', async ({ assert }) => {
    const { browser, rp, form } = await consentPage()
    const verifier = encryption.getMessageVerifier()
    const blob = form.fields.find(([name]) => name === 'request')![1]
    const payload = verifier.unsign<{ iat: number }>(blob, 'oidc-consent')!
    const expired = verifier.sign({ ...payload, iat: payload.iat - 601 }, undefined, 'oidc-consent')
    const page = await writesNothing(assert, rp, () =>
      browser.submit(form, { action: 'grant', request: expired })
    )
    assertErrorPage(assert, page, 'invalid_request', 'The authorization request has expired.')
  })

  test("a blob issued for user A posted in user B's session: 403", async ({ assert }) => {
    const a = await consentPage()
    const { browser: browserB } = await signedIn()
    const pageB = await browserB.get(request(a.rp))
    const formB = readForm(pageB.body, 'form[action="/identity/o/authorize"]')
    const blobA = a.form.fields.find(([name]) => name === 'request')![1]
    const page = await writesNothing(assert, a.rp, () =>
      browserB.submit(formB, { action: 'grant', request: blobA })
    )
    assertErrorPage(assert, page, 'forbidden', undefined, 403)
    /* and an anonymous visitor cannot use it either */
    const anonymous = await writesNothing(assert, a.rp, () =>
      new RecordingBrowser().post(AUTHORIZE, { request: blobA, action: 'grant', scopes: 'openid' })
    )
    assert.equal(anonymous.status, 403)
  })

  test('a missing or wrong CSRF token: 403, nothing written', async ({ assert }) => {
    const { browser, rp, form } = await consentPage()
    for (const csrf of [null, 'wrong', '']) {
      const page = await writesNothing(assert, rp, () =>
        browser.submit(form, { action: 'grant', _csrf: csrf })
      )
      assertErrorPage(assert, page, 'forbidden', undefined, 403)
    }
    /* the untouched form still works afterwards */
    const granted = await browser.submit(form, { action: 'grant' })
    assert.equal(granted.status, 303)
    assert.isTrue(delivered(granted).params.has('code'))
  })

  test('no scope ticked: the form again with an error, nothing written', async ({ assert }) => {
    const { browser, rp, form } = await consentPage()
    const page = await writesNothing(assert, rp, () =>
      browser.submit(form, { action: 'grant', scopes: null })
    )
    assert.equal(page.status, 200)
    assert.include(page.body, 'Select at least one of the requested permissions.')
    assert.include(page.body, 'name="request"')
    const foreign = await writesNothing(assert, rp, () =>
      browser.submit(form, { action: 'grant', scopes: ['openid', 'admin'] })
    )
    assert.equal(foreign.status, 200)
    assert.include(foreign.body, 'Select at least one of the requested permissions.')
  })

  test('openid unticked when an ID token is returned: the form again', async ({ assert }) => {
    const { browser, rp, form } = await consentPage(
      { responseTypes: ['code id_token'] },
      { response_type: 'code id_token', scope: 'openid email', nonce: 'n' }
    )
    const page = await writesNothing(assert, rp, () =>
      browser.submit(form, { action: 'grant', scopes: ['email'] })
    )
    assert.equal(page.status, 200)
    assert.include(page.body, 'The user ID permission is required by this application.')
  })

  test('an email that is not one of the choices: the form again', async ({ assert }) => {
    const { browser, rp, form } = await consentPage({}, { scope: 'openid email' })
    const page = await writesNothing(assert, rp, () =>
      browser.submit(form, { action: 'grant', email: 'someone-else@example.com' })
    )
    assert.equal(page.status, 200)
    assert.include(page.body, 'Choose one of your verified email addresses.')
  })

  test('a client deleted between the page and the POST: error page, nothing written', async ({
    assert,
  }) => {
    const { browser, rp, form } = await consentPage()
    await rp.client.delete()
    const page = await browser.submit(form, { action: 'grant' })
    assertErrorPage(assert, page, 'invalid_request', 'Invalid client_id parameter value.')
    assert.deepEqual(await rowCounts(rp.id), { codes: 0, tokens: 0, consents: 0 })
  })
})

test.group('Authorize: method and transport', (group) => {
  group.each.teardown(assertCleanResponses)

  test('other methods get 405 with Allow', async ({ assert }) => {
    for (const method of ['PUT', 'DELETE', 'PATCH']) {
      const page = await rawRequest(method, AUTHORIZE)
      assert.equal(page.status, 405)
      assert.include(page.headers.get('allow') ?? '', 'GET')
      assert.include(page.headers.get('allow') ?? '', 'POST')
    }
  })

  test('an oversized query does not crash the endpoint', async ({ assert }) => {
    const rp = await createClient({ redirectUris: [REDIRECT] })
    const { browser } = await signedIn()
    const page = await browser.get(request(rp, { state: 'x'.repeat(6000) }))
    assert.isBelow(page.status, 500)
  })
})
