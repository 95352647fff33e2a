import { IncomingMessage } from 'node:http'
import { Socket } from 'node:net'
import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import OidcTokenMiddleware from '#middleware/oidc_token_middleware'
import { OAuthError } from '#services/oidc/protocol/errors'
import { sha256Hex } from '#services/oidc/protocol/random'
import type { Assert } from '@japa/assert'
import { DateTime } from 'luxon'
import { sqlTime } from '#models/columns'
import OidcToken from '#models/oidc_token'
import { Browser, type Page } from '#tests/helpers/browser'
import { createClient } from '#tests/helpers/factories'
import { discoverAs, oidc } from '#tests/helpers/relying_party'
import { codeFlow, tokenRow, useSettings } from '#tests/helpers/tokens'
import { errorBody } from '#tests/helpers/oauth_errors'

const INVALID_TOKEN = {
  error: 'invalid_token',
  error_description:
    'The access token provided is expired, revoked, malformed, or invalid for other reasons.',
}

function me(token: string | null, path = '/api/me', scheme = 'Bearer') {
  return new Browser().get(path, token === null ? {} : { authorization: `${scheme} ${token}` })
}

function assertInvalidToken(assert: Assert, page: Page, message?: string) {
  assert.equal(page.status, 401, message)
  assert.deepEqual(JSON.parse(page.body), INVALID_TOKEN, message)
  assert.equal(page.headers.get('www-authenticate'), 'Bearer error="invalid_token"', message)
}

test.group('API guard (GET /api/me)', () => {
  test('a valid token gives exactly sub, client_id and scope', async ({ assert }) => {
    const { person, rp, tokens } = await codeFlow({ scope: 'openid email' })
    const page = await me(tokens.access_token)
    assert.equal(page.status, 200)
    assert.deepEqual(JSON.parse(page.body), {
      sub: String(person.user.id),
      client_id: rp.id,
      scope: 'openid email',
    })
    assert.equal(page.headers.get('cache-control'), 'no-store')
    assert.equal(
      (await me(tokens.access_token, '/api/me', 'bearer')).status,
      200,
      'the scheme is case-insensitive'
    )
  })

  test('a JWT access token is looked up by hash like an opaque one', async ({
    assert,
    cleanup,
  }) => {
    useSettings(cleanup, { accessTokenFormat: 'jwt' })
    const { person, tokens } = await codeFlow({ scope: 'openid' })
    const page = await me(tokens.access_token)
    assert.equal(page.status, 200)
    assert.equal(JSON.parse(page.body).sub, String(person.user.id))
  })

  test('a client-credentials token (client with openid) gives no sub', async ({ assert }) => {
    const rp = await createClient({ grantTypes: ['client_credentials'], scopes: ['openid', 'api'] })
    const tokens = await oidc.clientCredentialsGrant(await discoverAs(rp, 'basic'), {
      scope: 'openid api',
    })
    const page = await me(tokens.access_token)
    assert.equal(page.status, 200)
    assert.deepEqual(JSON.parse(page.body), { client_id: rp.id, scope: 'openid api' })
  })

  test('a missing token gives 401 invalid_token with WWW-Authenticate: Bearer error="invalid_token"', async ({
    assert,
  }) => {
    assertInvalidToken(assert, await me(null))
    assertInvalidToken(
      assert,
      await new Browser().get('/api/me', { authorization: 'Basic Zm9vOmJhcg==' })
    )
  })

  test('revoked, expired and unknown tokens give 401', async ({ assert }) => {
    const revoked = await codeFlow()
    await oidc.tokenRevocation(revoked.config, revoked.tokens.access_token)
    assertInvalidToken(assert, await me(revoked.tokens.access_token))

    const expired = await codeFlow()
    await OidcToken.query()
      .where('hash', sha256Hex(expired.tokens.access_token))
      .update({ expires_at: sqlTime(DateTime.utc().minus({ seconds: 1 })) })
    assertInvalidToken(assert, await me(expired.tokens.access_token))

    assertInvalidToken(assert, await me('x'.repeat(86)))
    assertInvalidToken(
      assert,
      await me(revoked.tokens.refresh_token!),
      'a refresh token is not an access token'
    )
  })

  test('an ID token, or the token of an inactive user, gives 401', async ({ assert }) => {
    const { person, tokens } = await codeFlow()
    assertInvalidToken(assert, await me(tokens.id_token!))
    person.user.isActive = false
    await person.user.save()
    assertInvalidToken(assert, await me(tokens.access_token))
  })

  test('a token in the query string is ignored (S24)', async ({ assert }) => {
    const { tokens } = await codeFlow()
    assertInvalidToken(
      assert,
      await me(null, `/api/me?access_token=${encodeURIComponent(tokens.access_token)}`)
    )
    assert.isNull((await tokenRow(tokens.access_token)).revokedAt)
  })

  test('a token without openid gives 403 insufficient_scope with scope="openid"', async ({
    assert,
  }) => {
    const { tokens } = await codeFlow({ scope: 'profile' })
    const page = await me(tokens.access_token)
    assert.equal(page.status, 403)
    assert.deepEqual(JSON.parse(page.body), errorBody('insufficient_scope'))
    assert.equal(
      page.headers.get('www-authenticate'),
      'Bearer error="insufficient_scope", scope="openid"'
    )
    assert.isNull(
      (await tokenRow(tokens.access_token)).revokedAt,
      'a scope refusal revokes nothing'
    )
  })

  test('a per-method expression refuses a method without an entry with 403, naming no scope', async ({
    assert,
  }) => {
    const { tokens } = await codeFlow({ scope: 'openid' })
    const request = new IncomingMessage(new Socket())
    request.method = 'PUT'
    request.url = '/api/things'
    request.headers = { authorization: `Bearer ${tokens.access_token}` }
    const ctx = await testUtils.createHttpContext({ req: request })
    let reached = false
    const refused = await new OidcTokenMiddleware()
      .handle(ctx, async () => void (reached = true), { scopes: { GET: 'openid' } })
      .catch((error) => error)
    assert.isFalse(reached)
    assert.instanceOf(refused, OAuthError)
    assert.equal(refused.status, 403)
    assert.deepEqual(refused.toJSON(), errorBody('insufficient_scope'))
    assert.deepEqual(refused.headers, { 'WWW-Authenticate': 'Bearer error="insufficient_scope"' })

    request.method = 'GET'
    await new OidcTokenMiddleware().handle(
      await testUtils.createHttpContext({ req: request }),
      async () => void (reached = true),
      { scopes: { GET: 'openid' } }
    )
    assert.isTrue(reached, 'the method with an entry passes')
  })
})
