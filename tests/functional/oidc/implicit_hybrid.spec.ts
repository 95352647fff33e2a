import { test } from '@japa/runner'
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose'
import OidcAuthorizationCode from '#models/oidc_authorization_code'
import OidcSessionClient from '#models/oidc_session_client'
import { loadAdapter } from '#services/oidc/adapter/loader'
import { sha256Hex } from '#services/oidc/protocol/random'
import { Browser, readForm, type Page } from '#tests/helpers/browser'
import { REDIRECT } from '#tests/helpers/endpoints'
import { createClient, createUser } from '#tests/helpers/factories'
import {
  ISSUER,
  answerConsent,
  authorizationUrl,
  discoverAs,
  oidc,
  redeemCallback,
} from '#tests/helpers/relying_party'
import { clientRows, halfHash, tokenRow } from '#tests/helpers/tokens'

const JWKS = createRemoteJWKSet(new URL(`${ISSUER}/.well-known/jwks.json`))
const TOKEN_PARAMS = ['access_token', 'token_type', 'expires_in', 'scope']

/** The parameters each response type returns (docs/endpoints.md#authorization-responses), before state and iss */
const RESPONSES: Record<string, string[]> = {
  'id_token': ['id_token'],
  'id_token token': [...TOKEN_PARAMS, 'id_token'],
  'token': TOKEN_PARAMS,
  'code id_token': ['code', 'id_token'],
  'code token': ['code', ...TOKEN_PARAMS],
  'code id_token token': ['code', ...TOKEN_PARAMS, 'id_token'],
}

/** A signed-in person and a client registered for one response type */
async function setUp(responseType: string, options: { skipConsent?: boolean } = {}) {
  const person = await createUser()
  const rp = await createClient({
    redirectUris: [REDIRECT],
    responseTypes: [responseType],
    skipConsent: options.skipConsent ?? true,
  })
  const config = await discoverAs(rp, 'basic')
  const browser = new Browser()
  await browser.signIn(person.email, person.password)
  return { person, rp, config, browser }
}

function fragmentOf(page: Page) {
  const location = new URL(page.location!)
  if (location.origin + location.pathname !== REDIRECT || location.search !== '')
    throw new Error(`not a fragment redirect to the client: ${page.location}`)
  return new URLSearchParams(location.hash.slice(1))
}

function verifyIdToken(idToken: string, clientId: string) {
  return jwtVerify(idToken, JWKS, { issuer: ISSUER, audience: clientId, typ: 'JWT' }).then(
    ({ payload }) => payload
  )
}

test.group('Implicit and hybrid responses', () => {
  test('{$self}: the parameters come in the fragment with state and iss')
    .with(Object.keys(RESPONSES))
    .run(async ({ assert }, responseType) => {
      const { person, rp, config, browser } = await setUp(responseType)
      const { url, secrets } = await authorizationUrl(config, REDIRECT, 'openid profile', {
        response_type: responseType,
      })
      const page = await browser.get(url)
      assert.equal(page.status, 302)
      assert.equal(page.body, '')
      assert.equal(page.headers.get('cache-control'), 'no-store')
      assert.isNull(page.headers.get('access-control-allow-origin'))
      const params = fragmentOf(page)
      assert.deepEqual([...params.keys()], [...RESPONSES[responseType], 'state', 'iss'])
      assert.equal(params.get('state'), secrets.state)
      assert.equal(params.get('iss'), ISSUER)

      const words = responseType.split(' ')
      const accessToken = params.get('access_token')
      const code = params.get('code')
      if (accessToken) {
        assert.equal(params.get('token_type'), 'Bearer')
        assert.strictEqual(params.get('expires_in'), '3600')
        assert.equal(params.get('scope'), 'openid profile')
        const row = await tokenRow(accessToken)
        assert.equal(row.userId, person.user.id)
        assert.deepEqual(row.scopes, ['openid', 'profile'])
        const userinfo = await oidc.fetchUserInfo(config, accessToken, String(person.user.id))
        assert.equal(userinfo.sub, String(person.user.id))
      }
      if (code) {
        assert.match(code, /^[A-Za-z0-9_-]{43}$/)
        const stored = await OidcAuthorizationCode.findByOrFail('hash', sha256Hex(code))
        assert.equal(stored.nonce, secrets.nonce)
        if (accessToken)
          assert.equal(
            stored.familyId,
            (await tokenRow(accessToken)).familyId,
            'the code and the token share a family'
          )
      }
      if (words.includes('id_token')) {
        const claims: JWTPayload = await verifyIdToken(params.get('id_token')!, rp.id)
        assert.equal(claims.sub, String(person.user.id))
        assert.equal(claims.nonce, secrets.nonce)
        assert.equal(claims.azp, rp.id)
        assert.isString(claims.sid)
        assert.isNumber(claims.auth_time)
        assert.equal(claims.given_name, 'Ada', 'scope claims in the ID token (compat)')
        if (accessToken) assert.equal(claims.at_hash, halfHash(accessToken))
        else assert.notProperty(claims, 'at_hash')
        if (code) assert.equal(claims.c_hash, halfHash(code))
        else assert.notProperty(claims, 'c_hash')
      }

      const rows = await clientRows(rp.id)
      assert.deepEqual(
        rows.map((row) => row.type),
        accessToken ? ['at'] : [],
        'never a refresh token here; no row for an ID token alone'
      )
    })

  test('consent through the browser answers with a 303 carrying the fragment', async ({
    assert,
  }) => {
    const { person, rp, config, browser } = await setUp('id_token token', { skipConsent: false })
    const { url, secrets } = await authorizationUrl(config, REDIRECT, 'openid email', {
      response_type: 'id_token token',
    })
    const consent = await browser.get(url)
    assert.equal(consent.status, 200)
    const page = await answerConsent(browser, consent)
    assert.equal(page.status, 303)
    const params = fragmentOf(page)
    assert.equal(params.get('state'), secrets.state)
    const claims = await verifyIdToken(params.get('id_token')!, rp.id)
    assert.equal(claims.email, person.email)
    assert.equal(claims.at_hash, halfHash(params.get('access_token')!))
  })

  test('openid-client accepts the id_token response', async ({ assert }) => {
    const { person, config, browser } = await setUp('id_token')
    oidc.useIdTokenResponseType(config)
    const { url, secrets } = await authorizationUrl(config, REDIRECT, 'openid', {
      response_type: 'id_token',
    })
    const page = await browser.get(url)
    const claims = await oidc.implicitAuthentication(
      config,
      new URL(page.location!),
      secrets.nonce,
      { expectedState: secrets.state }
    )
    assert.equal(claims.sub, String(person.user.id))
  })

  test('the code of "code id_token" is exchanged by openid-client at the token endpoint', async ({
    assert,
  }) => {
    const { person, rp, config, browser } = await setUp('code id_token')
    oidc.useCodeIdTokenResponseType(config)
    const { url, secrets } = await authorizationUrl(config, REDIRECT, 'openid email', {
      response_type: 'code id_token',
    })
    const page = await browser.get(url)
    const tokens = await redeemCallback(config, new URL(page.location!), secrets)
    const claims = tokens.claims()!
    assert.equal(claims.sub, String(person.user.id))
    assert.equal(claims.nonce, secrets.nonce)
    assert.equal(claims.at_hash, halfHash(tokens.access_token))
    assert.isString(
      tokens.refresh_token,
      'the token endpoint, not the authorization endpoint, issues the RT'
    )
    const stored = await OidcAuthorizationCode.findByOrFail(
      'hash',
      sha256Hex(new URLSearchParams(new URL(page.location!).hash.slice(1)).get('code')!)
    )
    assert.isNotNull(stored.consumedAt)
    assert.equal((await tokenRow(tokens.refresh_token!)).familyId, stored.familyId)
    assert.deepEqual(
      (await clientRows(rp.id)).map((row) => row.type),
      ['at', 'rt']
    )
  })

  test('"token" with openid is plain OAuth: no ID token', async ({ assert }) => {
    const { config, browser } = await setUp('token')
    const { url } = await authorizationUrl(config, REDIRECT, 'openid')
    const page = await browser.get(url.replace('response_type=code', 'response_type=token'))
    const params = fragmentOf(page)
    assert.isFalse(params.has('id_token'))
    assert.isFalse(params.has('refresh_token'))
    assert.equal(params.get('scope'), 'openid')
  })

  test('{$self} without a nonce: invalid_request in the fragment, nothing issued')
    .with(['id_token', 'id_token token', 'code id_token', 'code id_token token'])
    .run(async ({ assert }, responseType) => {
      const { rp, config, browser } = await setUp(responseType)
      const { url } = await authorizationUrl(config, REDIRECT, 'openid', {
        response_type: responseType,
      })
      const withoutNonce = new URL(url)
      withoutNonce.searchParams.delete('nonce')
      withoutNonce.searchParams.set('state', 'st-1')
      const page = await browser.get(withoutNonce.href)
      assert.equal(page.status, 302)
      assert.deepEqual(Object.fromEntries(fragmentOf(page)), {
        error: 'invalid_request',
        error_description: 'Request is missing mandatory nonce parameter.',
        state: 'st-1',
        iss: ISSUER,
      })
      assert.lengthOf(await clientRows(rp.id), 0)
      assert.lengthOf(await OidcAuthorizationCode.query().where('client_id', rp.id), 0)
    })

  test('response_mode=query is refused for {$self}; no token is issued')
    .with(Object.keys(RESPONSES))
    .run(async ({ assert }, responseType) => {
      const { rp, config, browser } = await setUp(responseType)
      const { url } = await authorizationUrl(config, REDIRECT, 'openid', {
        response_type: responseType,
        response_mode: 'query',
        state: 'st-2',
      })
      const page = await browser.get(url)
      assert.equal(page.status, 302)
      const location = new URL(page.location!)
      assert.equal(location.hash, '')
      assert.deepEqual(Object.fromEntries(location.searchParams), {
        error: 'invalid_request',
        error_description: 'Response mode query is not allowed for this response type.',
        state: 'st-2',
        iss: ISSUER,
      })
      assert.lengthOf(await clientRows(rp.id), 0)
      assert.lengthOf(await OidcAuthorizationCode.query().where('client_id', rp.id), 0)
    })

  test("response_mode=form_post: a 200 page whose form posts the same parameters, submitted by a nonce'd script", async ({
    assert,
  }) => {
    const { person, config, browser } = await setUp('code id_token')
    oidc.useCodeIdTokenResponseType(config)
    const { url, secrets } = await authorizationUrl(config, REDIRECT, 'openid', {
      response_type: 'code id_token',
      response_mode: 'form_post',
    })
    const page = await browser.get(url)
    assert.equal(page.status, 200)
    assert.isNull(page.location)
    assert.match(page.headers.get('content-type')!, /^text\/html/)
    assert.equal(page.headers.get('cache-control'), 'no-store')

    const form = readForm(page.body, `form[action="${REDIRECT}"]`)
    assert.equal(form.method, 'post')
    assert.deepEqual(
      form.fields.map(([name]) => name),
      ['code', 'id_token', 'state', 'iss']
    )
    const fields = Object.fromEntries(form.fields)
    assert.equal(fields.state, secrets.state)
    assert.equal(fields.iss, ISSUER)
    assert.match(page.body, /<button type="submit">/)

    const scripts = [...page.body.matchAll(/<script\b([^>]*)>/g)].map((match) => match[1])
    assert.lengthOf(scripts, 1)
    const nonce = /nonce="([^"]+)"/.exec(scripts[0])![1]
    assert.include(page.headers.get('content-security-policy')!, `script-src 'nonce-${nonce}'`)

    const posted = new Request(REDIRECT, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form.fields).toString(),
    })
    const tokens = await redeemCallback(config, posted, secrets)
    assert.equal(tokens.claims()!.sub, String(person.user.id))
  })

  test('a form_post error carries the error fields the same way', async ({ assert }) => {
    const { config, browser } = await setUp('id_token token')
    const { url } = await authorizationUrl(config, REDIRECT, 'openid', {
      response_type: 'id_token token',
      response_mode: 'form_post',
      state: 'st-3',
    })
    const withoutNonce = new URL(url)
    withoutNonce.searchParams.delete('nonce')
    const page = await browser.get(withoutNonce.href)
    assert.equal(page.status, 200)
    assert.deepEqual(readForm(page.body, `form[action="${REDIRECT}"]`).fields, [
      ['error', 'invalid_request'],
      ['error_description', 'Request is missing mandatory nonce parameter.'],
      ['state', 'st-3'],
      ['iss', ISSUER],
    ])
  })

  test('a failing adapter hook gives the 500 page and writes neither the code nor the token', async ({
    assert,
    cleanup,
  }) => {
    const { rp, config, browser } = await setUp('code id_token token')
    await loadAdapter('#tests/helpers/failing_adapter')
    cleanup(() => loadAdapter('#services/oidc/adapter/adapter'))
    const { url } = await authorizationUrl(config, REDIRECT, 'openid', {
      response_type: 'code id_token token',
    })
    const page = await browser.get(url)
    assert.equal(page.status, 500)
    assert.isNull(page.location)
    assert.include(page.body, 'server_error')
    assert.lengthOf(await clientRows(rp.id), 0)
    assert.lengthOf(await OidcAuthorizationCode.query().where('client_id', rp.id), 0)
    assert.lengthOf(await OidcSessionClient.query().where('client_id', rp.id), 0)
  })
})
