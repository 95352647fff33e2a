/**
 * Negative and abuse tests of the token endpoint (docs/endpoints.md#api-request-format, docs/endpoints.md#token-endpoint,
 * docs/endpoints.md#authorization_code-grant; docs/security.md S5-S8, S14, S15, and its section "Bad input"): each error is checked for its exact
 * JSON body, status and headers, and codes are checked to stay bound to their
 * client, redirect URI and PKCE challenge.
 */
import { test } from '@japa/runner'
import { DateTime } from 'luxon'
import OidcAuthorizationCode from '#models/oidc_authorization_code'
import OidcToken from '#models/oidc_token'
import User from '#models/user'
import { createClient, type TestClient } from '#tests/helpers/factories'
import { ISSUER } from '#tests/helpers/relying_party'
import { sha256Hex } from '#services/oidc/protocol/random'
import { sqlTime } from '#models/columns'
import { INTROSPECT, REDIRECT, TOKEN, USERINFO } from '#tests/helpers/endpoints'
import {
  assertApiHeaders,
  assertCleanResponses,
  assertJsonError,
  resetRateLimits,
  basic,
  issueCode,
  postForm,
  rawRequest,
  rowCounts,
} from '#tests/helpers/oauth_checks'
import { errorBody } from '#tests/helpers/oauth_errors'

type Body = Record<string, string | null>

function form(params: Body) {
  const body = new URLSearchParams()
  for (const [name, value] of Object.entries(params)) if (value !== null) body.append(name, value)
  return body.toString()
}

/** A code exchange with every parameter right, changed by `extra` (null removes one) */
function exchange(
  rp: TestClient,
  code: string,
  verifier: string | null,
  extra: Body = {},
  headers: Record<string, string> = {}
) {
  return postForm(
    TOKEN,
    form({
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT,
      client_id: rp.id,
      client_secret: rp.secret,
      code_verifier: verifier,
      ...extra,
    }),
    headers
  )
}

function userinfo(accessToken: string) {
  return rawRequest('GET', USERINFO, undefined, { authorization: `Bearer ${accessToken}` })
}

async function codeRow(code: string) {
  return OidcAuthorizationCode.findByOrFail('hash', sha256Hex(code))
}

test.group('Token: request format (docs/endpoints.md#api-request-format)', (group) => {
  group.each.setup(resetRateLimits)
  group.each.teardown(assertCleanResponses)

  test('a query string on the token URL: {$self}')
    .with(['?grant_type=client_credentials', '?', '?x'])
    .run(async ({ assert }, query) => {
      const rp = await createClient({ grantTypes: ['client_credentials'] })
      const page = await postForm(
        `${TOKEN}${query}`,
        form({ grant_type: 'client_credentials', client_id: rp.id, client_secret: rp.secret })
      )
      assertJsonError(assert, page, 400, {
        error: 'invalid_request',
        error_description: 'URL query parameters are not allowed',
      })
    })

  test('Content-Type {$self}')
    .with([
      'application/json',
      'text/plain',
      'multipart/form-data; boundary=x',
      'application/x-www-form-urlencoded-foo',
      null,
    ])
    .run(async ({ assert }, type) => {
      const rp = await createClient({ grantTypes: ['client_credentials'] })
      const body =
        type === 'application/json'
          ? JSON.stringify({
              grant_type: 'client_credentials',
              client_id: rp.id,
              client_secret: rp.secret,
            })
          : form({ grant_type: 'client_credentials', client_id: rp.id, client_secret: rp.secret })
      const page = await rawRequest('POST', TOKEN, body, type ? { 'content-type': type } : {})
      assertJsonError(assert, page, 400, {
        error: 'invalid_request',
        error_description: 'Content-Type must be application/x-www-form-urlencoded',
      })
    })

  test('a malformed JSON body is refused like any JSON body ({$self})')
    .with(['{"grant_type":', '"x"', '42'])
    .run(async ({ assert }, body) => {
      const page = await rawRequest('POST', TOKEN, body, { 'content-type': 'application/json' })
      assertJsonError(assert, page, 400, {
        error: 'invalid_request',
        error_description: 'Content-Type must be application/x-www-form-urlencoded',
      })
      const withQuery = await rawRequest('POST', `${TOKEN}?a=1`, body, {
        'content-type': 'application/json',
      })
      assertJsonError(assert, withQuery, 400, {
        error: 'invalid_request',
        error_description: 'URL query parameters are not allowed',
      })
    })

  test('a charset parameter is accepted', async ({ assert }) => {
    const rp = await createClient({ grantTypes: ['client_credentials'] })
    const page = await postForm(
      TOKEN,
      form({ grant_type: 'client_credentials', client_id: rp.id, client_secret: rp.secret }),
      { 'content-type': 'application/x-www-form-urlencoded; charset=UTF-8' }
    )
    assert.equal(page.status, 200, page.body)
    assertApiHeaders(assert, page)
  })

  test('a duplicate parameter', async ({ assert }) => {
    const rp = await createClient()
    const page = await postForm(
      TOKEN,
      `grant_type=authorization_code&code=a&code=b&redirect_uri=${encodeURIComponent(REDIRECT)}&client_id=${rp.id}&client_secret=${rp.secret}`
    )
    assertJsonError(assert, page, 400, {
      error: 'invalid_request',
      error_description: 'Duplicate code parameter.',
    })
    const empty = await postForm(
      TOKEN,
      `grant_type=client_credentials&grant_type=&client_id=${rp.id}`
    )
    assertJsonError(assert, empty, 400, {
      error: 'invalid_request',
      error_description: 'Duplicate grant_type parameter.',
    })
  })

  test('a body that cannot be decoded: {$self}')
    .with(['code=%ZZ', 'code=abc%', 'code=%E0%A4%A', 'code=%FF', 'code=%C0%AF', '%ZZ=1'])
    .run(async ({ assert }, broken) => {
      const page = await postForm(TOKEN, `grant_type=authorization_code&${broken}&client_id=x`)
      assert.equal(page.status, 400)
      assertApiHeaders(assert, page)
      assert.equal(JSON.parse(page.body).error, 'invalid_request')
    })

  test('raw bytes that are not UTF-8', async ({ assert }) => {
    const body = Buffer.concat([
      Buffer.from('grant_type=authorization_code&client_id=x&code='),
      Buffer.from([0xff, 0xfe, 0x41]),
    ])
    const page = await rawRequest('POST', TOKEN, body, {
      'content-type': 'application/x-www-form-urlencoded',
    })
    assert.equal(page.status, 400)
    assert.equal(JSON.parse(page.body).error, 'invalid_request')
  })

  test('a body over 64 KiB: 413 invalid_request', async ({ assert }) => {
    const page = await postForm(
      TOKEN,
      form({ grant_type: 'client_credentials', client_id: 'x', padding: 'x'.repeat(70 * 1024) })
    )
    assert.equal(page.status, 413)
    assertApiHeaders(assert, page)
    assert.equal(JSON.parse(page.body).error, 'invalid_request')
  })

  test('GET and other methods on the token path: 405 with Allow, JSON', async ({ assert }) => {
    for (const method of ['GET', 'PUT', 'DELETE']) {
      const page = await rawRequest(method, TOKEN)
      assert.equal(page.status, 405)
      assert.equal(page.headers.get('allow'), 'POST, OPTIONS')
      assertApiHeaders(assert, page)
      assert.equal(JSON.parse(page.body).error, 'invalid_request')
    }
  })
})

test.group(
  'Token: grant type and client authentication (docs/endpoints.md#token-endpoint, docs/endpoints.md#client-authentication)',
  (group) => {
    group.each.setup(resetRateLimits)
    group.each.teardown(assertCleanResponses)

    test('a missing or unknown grant_type: unsupported_grant_type ({$self})')
      .with([
        null,
        '',
        'implicit',
        'foo',
        'AUTHORIZATION_CODE',
        'urn:ietf:params:oauth:grant-type:jwt-bearer',
      ])
      .run(async ({ assert }, grantType) => {
        const rp = await createClient()
        const page = await postForm(
          TOKEN,
          form({ grant_type: grantType, client_id: rp.id, client_secret: rp.secret })
        )
        assertJsonError(assert, page, 400, errorBody('unsupported_grant_type'))
      })

    test('the password grant never works (S14)', async ({ assert }) => {
      const rp = await createClient({ grantTypes: ['authorization_code', 'password'] })
      const before = await rowCounts(rp.id)
      const page = await postForm(
        TOKEN,
        form({
          grant_type: 'password',
          username: 'ada',
          password: 'x',
          client_id: rp.id,
          client_secret: rp.secret,
        })
      )
      assertJsonError(assert, page, 400, {
        error: 'invalid_grant',
        error_description: 'Invalid credentials given.',
      })
      assert.deepEqual(await rowCounts(rp.id), before)
    })

    test('a missing code is checked before client authentication', async ({ assert }) => {
      const page = await postForm(
        TOKEN,
        form({ grant_type: 'authorization_code', redirect_uri: REDIRECT })
      )
      assertJsonError(assert, page, 400, {
        error: 'invalid_request',
        error_description: 'Missing code parameter.',
      })
    })

    test('a wrong secret and an unknown client get identical answers (S15)', async ({ assert }) => {
      const rp = await createClient()
      const wrong = await postForm(
        TOKEN,
        form({
          grant_type: 'authorization_code',
          code: 'c',
          redirect_uri: REDIRECT,
          client_id: rp.id,
          client_secret: 'wrong',
        })
      )
      const unknown = await postForm(
        TOKEN,
        form({
          grant_type: 'authorization_code',
          code: 'c',
          redirect_uri: REDIRECT,
          client_id: 'no-such-client',
          client_secret: 'wrong',
        })
      )
      const missing = await postForm(
        TOKEN,
        form({
          grant_type: 'authorization_code',
          code: 'c',
          redirect_uri: REDIRECT,
          client_id: rp.id,
        })
      )
      for (const page of [wrong, unknown, missing]) {
        assertJsonError(assert, page, 401, errorBody('invalid_client'))
        assert.equal(page.headers.get('www-authenticate'), 'Bearer error="invalid_client"')
      }
      assert.equal(wrong.body, unknown.body)

      const wrongBasic = await postForm(
        TOKEN,
        form({ grant_type: 'authorization_code', code: 'c', redirect_uri: REDIRECT }),
        { authorization: basic(rp.id, 'wrong') }
      )
      const unknownBasic = await postForm(
        TOKEN,
        form({ grant_type: 'authorization_code', code: 'c', redirect_uri: REDIRECT }),
        { authorization: basic('no-such-client', 'wrong') }
      )
      for (const page of [wrongBasic, unknownBasic]) {
        assertJsonError(assert, page, 401, errorBody('invalid_client'))
        assert.equal(page.headers.get('www-authenticate'), `Basic realm="${ISSUER}"`)
      }
      assert.equal(wrongBasic.body, unknownBasic.body)
    })

    test('no client_id at all: 401 invalid_client', async ({ assert }) => {
      const page = await postForm(TOKEN, form({ grant_type: 'client_credentials' }))
      assertJsonError(assert, page, 401, errorBody('invalid_client'))
      assert.equal(page.headers.get('www-authenticate'), 'Bearer error="invalid_client"')
    })

    test('Basic and a body client_secret together: 400 invalid_request', async ({ assert }) => {
      const rp = await createClient({ grantTypes: ['client_credentials'] })
      const page = await postForm(
        TOKEN,
        form({ grant_type: 'client_credentials', client_secret: rp.secret }),
        { authorization: basic(rp.id, rp.secret!) }
      )
      assert.equal(page.status, 400)
      assertApiHeaders(assert, page)
      assert.equal(JSON.parse(page.body).error, 'invalid_request')
    })

    test('a Basic client_id that differs from the body client_id: 401', async ({ assert }) => {
      const rp = await createClient({ grantTypes: ['client_credentials'] })
      const other = await createClient({ grantTypes: ['client_credentials'] })
      const page = await postForm(
        TOKEN,
        form({ grant_type: 'client_credentials', client_id: other.id }),
        { authorization: basic(rp.id, rp.secret!) }
      )
      assertJsonError(assert, page, 401, errorBody('invalid_client'))
      assert.equal(page.headers.get('www-authenticate'), `Basic realm="${ISSUER}"`)
      const same = await postForm(
        TOKEN,
        form({ grant_type: 'client_credentials', client_id: rp.id }),
        { authorization: basic(rp.id, rp.secret!) }
      )
      assert.equal(same.status, 200, 'the same client_id in both places is fine')
    })

    test('a malformed Basic header: 401 ({$self})')
      .with([
        'Basic',
        'Basic !!!!',
        `Basic ${Buffer.from('no-colon').toString('base64')}`,
        `Basic ${Buffer.from(':secret').toString('base64')}`,
        `Basic ${Buffer.from('%ZZ:secret').toString('base64')}`,
        `Basic ${Buffer.from('id:%E0%A4%A').toString('base64')}`,
        'Basic a b',
      ])
      .run(async ({ assert }, header) => {
        const page = await postForm(TOKEN, form({ grant_type: 'client_credentials' }), {
          authorization: header,
        })
        assertJsonError(assert, page, 401, errorBody('invalid_client'))
        assert.equal(page.headers.get('www-authenticate'), `Basic realm="${ISSUER}"`)
      })

    test('a form-encoded Basic secret is decoded (RFC 6749 §2.3.1)', async ({ assert }) => {
      const rp = await createClient({ grantTypes: ['client_credentials'] })
      const page = await postForm(TOKEN, form({ grant_type: 'client_credentials' }), {
        authorization: basic(rp.id, rp.secret!),
      })
      assert.equal(page.status, 200, page.body)
    })

    test('a public client sending a secret: 401', async ({ assert }) => {
      const rp = await createClient({ type: 'public' })
      const inBody = await postForm(
        TOKEN,
        form({
          grant_type: 'authorization_code',
          code: 'c',
          redirect_uri: REDIRECT,
          client_id: rp.id,
          client_secret: 'anything',
        })
      )
      assertJsonError(assert, inBody, 401, errorBody('invalid_client'))
      const inBasic = await postForm(
        TOKEN,
        form({ grant_type: 'authorization_code', code: 'c', redirect_uri: REDIRECT }),
        { authorization: basic(rp.id, '') }
      )
      assertJsonError(assert, inBasic, 401, errorBody('invalid_client'))
    })

    test('a client without the grant: unauthorized_client, and the code survives', async ({
      assert,
    }) => {
      const { rp, code, verifier } = await issueCode()
      rp.client.grantTypes = ['client_credentials']
      await rp.client.save()
      const page = await exchange(rp, code, verifier)
      assertJsonError(assert, page, 400, errorBody('unauthorized_client'))
      assert.isNull((await codeRow(code)).consumedAt)
    })

    test('JSON errors echo state', async ({ assert }) => {
      const rp = await createClient()
      const page = await postForm(
        TOKEN,
        form({ grant_type: 'foo', state: 'abc<>"', client_id: rp.id })
      )
      assertJsonError(assert, page, 400, errorBody('unsupported_grant_type', { state: 'abc<>"' }))
      const unauthenticated = await postForm(
        TOKEN,
        form({
          grant_type: 'authorization_code',
          code: 'c',
          state: 's1',
          client_id: rp.id,
          client_secret: 'bad',
        })
      )
      assertJsonError(assert, unauthenticated, 401, errorBody('invalid_client', { state: 's1' }))
    })
  }
)

test.group(
  'Token: authorization_code (docs/endpoints.md#authorization_code-grant, S5-S8)',
  (group) => {
    group.each.setup(resetRateLimits)
    group.each.teardown(assertCleanResponses)

    test('a successful exchange carries no-store and no-cache', async ({ assert }) => {
      const { rp, code, verifier } = await issueCode()
      const page = await exchange(rp, code, verifier)
      assert.equal(page.status, 200, page.body)
      assertApiHeaders(assert, page)
      assert.deepEqual(Object.keys(JSON.parse(page.body)), [
        'access_token',
        'expires_in',
        'token_type',
        'scope',
        'refresh_token',
        'id_token',
      ])
    })

    test('an unknown code: invalid_grant', async ({ assert }) => {
      const rp = await createClient()
      const page = await exchange(rp, 'x'.repeat(43), null)
      assertJsonError(assert, page, 400, errorBody('invalid_grant'))
    })

    test('the code of another client: invalid_grant, and the code still works for its own client', async ({
      assert,
    }) => {
      const { rp, code, verifier } = await issueCode()
      const thief = await createClient({ redirectUris: [REDIRECT] })
      const stolen = await exchange(thief, code, verifier)
      assertJsonError(assert, stolen, 400, errorBody('invalid_grant'))
      assert.deepEqual(await rowCounts(thief.id), { codes: 0, tokens: 0, consents: 0 })
      const own = await exchange(rp, code, verifier)
      assert.equal(own.status, 200, own.body)
    })

    test('an expired code: invalid_grant', async ({ assert }) => {
      const { rp, code, verifier } = await issueCode()
      await OidcAuthorizationCode.query()
        .where('hash', sha256Hex(code))
        .update({ expires_at: sqlTime(DateTime.utc().minus({ seconds: 1 })) })
      const page = await exchange(rp, code, verifier)
      assertJsonError(assert, page, 400, errorBody('invalid_grant'))
      assert.equal((await rowCounts(rp.id)).tokens, 0)
    })

    test("a reused code: invalid_grant, and the first exchange's tokens die (S7)", async ({
      assert,
    }) => {
      const { rp, code, verifier } = await issueCode()
      const first = await exchange(rp, code, verifier)
      assert.equal(first.status, 200)
      const tokens = JSON.parse(first.body)
      assert.equal((await userinfo(tokens.access_token)).status, 200)

      const again = await exchange(rp, code, verifier)
      assertJsonError(assert, again, 400, errorBody('invalid_grant'))

      assert.equal((await userinfo(tokens.access_token)).status, 401)
      const refresh = await postForm(
        TOKEN,
        form({
          grant_type: 'refresh_token',
          refresh_token: tokens.refresh_token,
          client_id: rp.id,
          client_secret: rp.secret,
        })
      )
      assertJsonError(assert, refresh, 400, errorBody('invalid_grant'))
      const introspection = await postForm(
        INTROSPECT,
        form({ token: tokens.access_token, client_id: rp.id, client_secret: rp.secret })
      )
      assert.deepEqual(JSON.parse(introspection.body), { active: false })
      const live = await OidcToken.query().where('client_id', rp.id).whereNull('revoked_at')
      assert.lengthOf(live, 0)
    })

    test("a code replayed after its expiry still revokes the first exchange's tokens", async ({
      assert,
    }) => {
      const { rp, code, verifier } = await issueCode()
      const tokens = JSON.parse((await exchange(rp, code, verifier)).body)
      await OidcAuthorizationCode.query()
        .where('hash', sha256Hex(code))
        .update({ expires_at: sqlTime(DateTime.utc().minus({ seconds: 1 })) })
      assertJsonError(assert, await exchange(rp, code, verifier), 400, errorBody('invalid_grant'))
      assert.equal((await userinfo(tokens.access_token)).status, 401)
    })

    test('two concurrent redemptions of one code: exactly one 200', async ({ assert }) => {
      for (let round = 0; round < 3; round++) {
        const { rp, code, verifier } = await issueCode()
        const pages = await Promise.all([
          exchange(rp, code, verifier),
          exchange(rp, code, verifier),
          exchange(rp, code, verifier),
        ])
        const statuses = pages.map((page) => page.status).sort()
        assert.deepEqual(statuses, [200, 400, 400])
        for (const page of pages.filter((p) => p.status === 400))
          assertJsonError(assert, page, 400, errorBody('invalid_grant'))
      }
    })

    test('redirect_uri missing: "Missing redirect URI.", and the code is then consumed', async ({
      assert,
    }) => {
      const { rp, code, verifier } = await issueCode()
      const page = await exchange(rp, code, verifier, { redirect_uri: null })
      assertJsonError(assert, page, 400, {
        error: 'invalid_request',
        error_description: 'Missing redirect URI.',
      })
      assert.equal((await rowCounts(rp.id)).tokens, 0)
      const retry = await exchange(rp, code, verifier)
      assertJsonError(assert, retry, 400, errorBody('invalid_grant'))
    })

    test('redirect_uri mismatching: "Mismatching redirect URI." ({$self})')
      .with([
        'https://rp.example/callback/',
        'https://rp.example/callback?x=1',
        'HTTPS://rp.example/callback',
        'https://rp.example:443/callback',
      ])
      .run(async ({ assert }, uri) => {
        const { rp, code, verifier } = await issueCode()
        rp.client.redirectUris = [REDIRECT, uri]
        await rp.client.save()
        const page = await exchange(rp, code, verifier, { redirect_uri: uri })
        assertJsonError(assert, page, 400, {
          error: 'invalid_request',
          error_description: 'Mismatching redirect URI.',
        })
        assert.equal((await rowCounts(rp.id)).tokens, 0)
      })

    test('PKCE: a missing code_verifier (S5)', async ({ assert }) => {
      const { rp, code } = await issueCode()
      const page = await exchange(rp, code, null)
      assertJsonError(assert, page, 400, {
        error: 'invalid_request',
        error_description: 'Code verifier required.',
      })
      assert.equal((await rowCounts(rp.id)).tokens, 0)
    })

    test('PKCE: a wrong or malformed code_verifier: invalid_grant ({$self})')
      .with(['wrong', 'x'.repeat(43), 'x'.repeat(129), `${'x'.repeat(42)}!`])
      .run(async ({ assert }, verifier) => {
        const { rp, code } = await issueCode()
        const page = await exchange(rp, code, verifier)
        assert.equal(page.status, 400)
        assert.equal(JSON.parse(page.body).error, 'invalid_grant')
        assert.equal((await rowCounts(rp.id)).tokens, 0)
      })

    test('PKCE: the challenge itself as the verifier: invalid_grant', async ({ assert }) => {
      const { rp, code } = await issueCode()
      const row = await codeRow(code)
      const page = await exchange(rp, code, row.codeChallenge)
      assert.equal(JSON.parse(page.body).error, 'invalid_grant')
    })

    test('PKCE: a verifier for a code issued without a challenge: invalid_grant (S6)', async ({
      assert,
    }) => {
      const { rp, code } = await issueCode({ pkce: false })
      const page = await exchange(rp, code, 'a'.repeat(43))
      assert.equal(page.status, 400)
      assert.equal(JSON.parse(page.body).error, 'invalid_grant')
      assert.equal((await rowCounts(rp.id)).tokens, 0)
    })

    test('a code for a user deactivated since: invalid_grant', async ({ assert }) => {
      const { rp, code, verifier } = await issueCode()
      const row = await codeRow(code)
      await User.query().where('id', row.userId).update({ is_active: false })
      const page = await exchange(rp, code, verifier)
      assertJsonError(assert, page, 400, errorBody('invalid_grant'))
      assert.equal((await rowCounts(rp.id)).tokens, 0)
    })

    test('a public client redeems with client_id alone', async ({ assert }) => {
      const rp = await createClient({ type: 'public', redirectUris: [REDIRECT], skipConsent: true })
      const { code, verifier } = await issueCode({ rp })
      const page = await exchange(rp, code, verifier, { client_secret: null })
      assert.equal(page.status, 200, page.body)
      assert.notProperty(JSON.parse(page.body), 'error')
    })
  }
)
