/**
 * Negative tests of the userinfo endpoint (docs/endpoints.md#userinfo-endpoint, docs/security.md S24):
 * where the token may come from, which tokens are refused, and the exact 401
 * and 403 answers.
 */
import { test } from '@japa/runner'
import type { Assert } from '@japa/assert'
import { DateTime } from 'luxon'
import EmailAddress from '#models/email_address'
import OidcToken from '#models/oidc_token'
import User from '#models/user'
import { sqlTime } from '#models/columns'
import { sha256Hex } from '#services/oidc/protocol/random'
import { readForm, type Page } from '#tests/helpers/browser'
import { REDIRECT, TOKEN, USERINFO } from '#tests/helpers/endpoints'
import { createClient } from '#tests/helpers/factories'
import {
  assertApiHeaders,
  assertCleanResponses,
  resetRateLimits,
  authorizeUrl,
  basic,
  delivered,
  issueCode,
  pkcePair,
  postForm,
  rawRequest,
  redeemCode,
  signedIn,
} from '#tests/helpers/oauth_checks'
import { tokenRow } from '#tests/helpers/tokens'
import { errorBody } from '#tests/helpers/oauth_errors'

const DESCRIPTION =
  'The access token provided is expired, revoked, malformed, or invalid for other reasons.'

/** docs/endpoints.md#userinfo-endpoint: the one 401 answer, body and header exact */
function assertInvalidToken(assert: Assert, page: Page) {
  assert.equal(page.status, 401, page.body)
  assertApiHeaders(assert, page)
  assert.equal(
    page.body,
    JSON.stringify({ error: 'invalid_token', error_description: DESCRIPTION })
  )
  assert.equal(
    page.headers.get('www-authenticate'),
    `Bearer error="invalid_token", error_description="${DESCRIPTION}"`
  )
}

function bearer(token: string) {
  return { authorization: `Bearer ${token}` }
}

/** Tokens from a real code exchange */
async function tokens(scope = 'openid email') {
  const { rp, code, verifier, browser } = await issueCode({ scope })
  return { rp, browser, ...(await redeemCode(rp, code, verifier)) }
}

test.group('Userinfo: refused requests (docs/endpoints.md#userinfo-endpoint)', (group) => {
  group.each.setup(resetRateLimits)
  group.each.teardown(assertCleanResponses)

  test('no token: 401 invalid_token ({$self})')
    .with(['GET', 'POST'])
    .run(async ({ assert }, method) => {
      assertInvalidToken(assert, await rawRequest(method, USERINFO))
    })

  test('an Authorization header that is not a usable Bearer: {$self}')
    .with([
      'Basic dXNlcjpwdw==',
      'Token abc',
      'Bearer',
      'Bearer ',
      'Bearer a b',
      'Bearertoken',
      'MAC abc',
    ])
    .run(async ({ assert }, header) => {
      assertInvalidToken(
        assert,
        await rawRequest('GET', USERINFO, undefined, { authorization: header })
      )
    })

  test('a valid token in a non-Bearer header or with extra parts is still refused', async ({
    assert,
  }) => {
    const { access_token: accessToken, rp } = await tokens()
    assertInvalidToken(
      assert,
      await rawRequest('GET', USERINFO, undefined, { authorization: basic(rp.id, accessToken) })
    )
    assertInvalidToken(
      assert,
      await rawRequest('GET', USERINFO, undefined, { authorization: `Bearer ${accessToken} x` })
    )
    assertInvalidToken(
      assert,
      await rawRequest('GET', USERINFO, undefined, { authorization: `Token ${accessToken}` })
    )
    assert.equal(
      (await rawRequest('GET', USERINFO, undefined, { authorization: `bEaReR ${accessToken}` }))
        .status,
      200,
      'the scheme is case-insensitive'
    )
  })

  test('a token in the query string is ignored (S24)', async ({ assert }) => {
    const { access_token: accessToken } = await tokens()
    assertInvalidToken(assert, await rawRequest('GET', `${USERINFO}?access_token=${accessToken}`))
    assertInvalidToken(assert, await rawRequest('POST', `${USERINFO}?access_token=${accessToken}`))
  })

  test('a form-body token is ignored when an Authorization header is present', async ({
    assert,
  }) => {
    const { access_token: accessToken } = await tokens()
    assertInvalidToken(
      assert,
      await postForm(USERINFO, { access_token: accessToken }, { authorization: 'Bearer nope' })
    )
  })

  test('a form-body token that is repeated, or sent as JSON, is refused', async ({ assert }) => {
    const { access_token: accessToken } = await tokens()
    assertInvalidToken(
      assert,
      await postForm(USERINFO, `access_token=${accessToken}&access_token=${accessToken}`)
    )
    assertInvalidToken(
      assert,
      await rawRequest('POST', USERINFO, JSON.stringify({ access_token: accessToken }), {
        'content-type': 'application/json',
      })
    )
    /* a body that cannot be parsed is malformed (RFC 6750 §3.1), never a 500 */
    const broken = await rawRequest('POST', USERINFO, '{"access_token":', {
      'content-type': 'application/json',
    })
    assert.equal(broken.status, 400)
    assertApiHeaders(assert, broken)
    assert.equal(JSON.parse(broken.body).error, 'invalid_request')
  })

  test('an unknown token', async ({ assert }) => {
    assertInvalidToken(assert, await rawRequest('GET', USERINFO, undefined, bearer('x'.repeat(43))))
  })

  test('an expired token', async ({ assert }) => {
    const { access_token: accessToken } = await tokens()
    await OidcToken.query()
      .where('hash', sha256Hex(accessToken))
      .update({ expires_at: sqlTime(DateTime.utc().minus({ seconds: 1 })) })
    assertInvalidToken(assert, await rawRequest('GET', USERINFO, undefined, bearer(accessToken)))
  })

  test('a revoked token', async ({ assert }) => {
    const { access_token: accessToken } = await tokens()
    await OidcToken.query().where('hash', sha256Hex(accessToken)).update({ revoked_at: sqlTime() })
    assertInvalidToken(assert, await rawRequest('GET', USERINFO, undefined, bearer(accessToken)))
  })

  test('a token of an inactive user', async ({ assert }) => {
    const { access_token: accessToken } = await tokens()
    await User.query()
      .where('id', (await tokenRow(accessToken)).userId!)
      .update({ is_active: false })
    assertInvalidToken(assert, await rawRequest('GET', USERINFO, undefined, bearer(accessToken)))
  })

  test('a token whose client is gone', async ({ assert }) => {
    const { access_token: accessToken, rp } = await tokens()
    await rp.client.delete()
    assertInvalidToken(assert, await rawRequest('GET', USERINFO, undefined, bearer(accessToken)))
  })

  test('a refresh token or an ID token is not an access token', async ({ assert }) => {
    const issued = await tokens()
    assertInvalidToken(
      assert,
      await rawRequest('GET', USERINFO, undefined, bearer(issued.refresh_token!))
    )
    assertInvalidToken(
      assert,
      await rawRequest('GET', USERINFO, undefined, bearer(issued.id_token!))
    )
  })

  test('a client-credentials token has no user: 401', async ({ assert }) => {
    const rp = await createClient({ grantTypes: ['client_credentials'], defaultScopes: ['openid'] })
    const page = await postForm(TOKEN, {
      grant_type: 'client_credentials',
      scope: 'openid',
      client_id: rp.id,
      client_secret: rp.secret!,
    })
    assert.equal(page.status, 200, page.body)
    assertInvalidToken(
      assert,
      await rawRequest('GET', USERINFO, undefined, bearer(JSON.parse(page.body).access_token))
    )
  })

  test('a token without openid: 403 insufficient_scope', async ({ assert }) => {
    const { access_token: accessToken } = await tokens('email profile')
    const page = await rawRequest('GET', USERINFO, undefined, bearer(accessToken))
    assert.equal(page.status, 403)
    assertApiHeaders(assert, page)
    assert.equal(page.body, JSON.stringify(errorBody('insufficient_scope')))
    assert.equal(
      page.headers.get('www-authenticate'),
      'Bearer error="insufficient_scope", scope="openid"'
    )
  })

  test('other methods: 405 with Allow', async ({ assert }) => {
    const page = await rawRequest('DELETE', USERINFO)
    assert.equal(page.status, 405)
    assert.equal(page.headers.get('allow'), 'GET, POST, OPTIONS')
    assertApiHeaders(assert, page)
  })
})

test.group('Userinfo: accepted requests (docs/endpoints.md#userinfo-endpoint)', (group) => {
  group.each.setup(resetRateLimits)
  group.each.teardown(assertCleanResponses)

  test('POST with access_token in a form body works', async ({ assert }) => {
    const { access_token: accessToken } = await tokens()
    const page = await postForm(USERINFO, { access_token: accessToken })
    assert.equal(page.status, 200, page.body)
    assertApiHeaders(assert, page)
    assert.property(JSON.parse(page.body), 'sub')
  })

  test('GET with the token returns the email chosen at consent', async ({ assert }) => {
    const { person, browser } = await signedIn()
    await EmailAddress.create({
      userId: person.user.id,
      email: `chosen-${person.user.id}@example.com`,
      verified: true,
      primary: false,
    })
    const rp = await createClient({ redirectUris: [REDIRECT] })
    const { verifier, challenge } = pkcePair()
    const consent = await browser.get(
      authorizeUrl({
        client_id: rp.id,
        redirect_uri: REDIRECT,
        response_type: 'code',
        scope: 'openid email',
        code_challenge: challenge,
        code_challenge_method: 'S256',
      })
    )
    const leaving = await browser.submit(
      readForm(consent.body, 'form[action="/identity/o/authorize"]'),
      { action: 'grant', email: `chosen-${person.user.id}@example.com` }
    )
    const issued = await redeemCode(rp, delivered(leaving).params.get('code')!, verifier)

    const page = await rawRequest('GET', USERINFO, undefined, bearer(issued.access_token))
    assert.equal(page.status, 200, page.body)
    assertApiHeaders(assert, page)
    const claims = JSON.parse(page.body)
    assert.equal(claims.sub, String(person.user.id))
    assert.equal(claims.email, `chosen-${person.user.id}@example.com`)
    assert.isTrue(claims.email_verified)
  })
})
