import { test } from '@japa/runner'
import { DateTime } from 'luxon'
import { sqlTime } from '#models/columns'
import OidcToken from '#models/oidc_token'
import { INTROSPECT } from '#tests/helpers/endpoints'
import { createClient } from '#tests/helpers/factories'
import { ISSUER, oidc } from '#tests/helpers/relying_party'
import { apiPost, codeFlow, failure, json, tokenRow, useSettings } from '#tests/helpers/tokens'
import { errorBody } from '#tests/helpers/oauth_errors'

/** The raw answer, so that key order and absent keys are seen as sent */
async function introspect(client: Parameters<typeof apiPost>[2], token: string, hint?: string) {
  const page = await apiPost(
    INTROSPECT,
    { token, ...(hint ? { token_type_hint: hint } : {}) },
    client
  )
  return { status: page.status, body: json(page), cacheControl: page.headers.get('cache-control') }
}

test.group('Token introspection', () => {
  test('an active access token: exactly active, scope, client_id, token_type, exp, iat, iss, sub, aud', async ({
    assert,
  }) => {
    const { person, rp, tokens } = await codeFlow({ scope: 'openid email' })
    const row = await tokenRow(tokens.access_token)
    const answer = await introspect(rp, tokens.access_token)
    assert.equal(answer.status, 200)
    assert.equal(answer.cacheControl, 'no-store')
    assert.deepEqual(Object.keys(answer.body), [
      'active',
      'scope',
      'client_id',
      'token_type',
      'exp',
      'iat',
      'iss',
      'sub',
      'aud',
    ])
    assert.deepEqual(answer.body, {
      active: true,
      scope: 'openid email',
      client_id: rp.id,
      token_type: 'Bearer',
      exp: Math.floor(row.expiresAt!.toSeconds()),
      iat: Math.floor(row.createdAt.toSeconds()),
      iss: ISSUER,
      sub: String(person.user.id),
      aud: ISSUER,
    })
    assert.equal((answer.body.exp as number) - (answer.body.iat as number), 3600)
  })

  test('openid-client reads the same answer', async ({ assert }) => {
    const { person, rp, config, tokens } = await codeFlow({ scope: 'openid' })
    const answer = await oidc.tokenIntrospection(config, tokens.access_token, {
      token_type_hint: 'access_token',
    })
    assert.isTrue(answer.active)
    assert.equal(answer.sub, String(person.user.id))
    assert.equal(answer.client_id, rp.id)
  })

  test('a JWT access token also has its jti', async ({ assert, cleanup }) => {
    useSettings(cleanup, { accessTokenFormat: 'jwt' })
    const { rp, tokens } = await codeFlow({ scope: 'openid' })
    const answer = await introspect(rp, tokens.access_token)
    assert.equal(answer.body.jti, (await tokenRow(tokens.access_token)).jti)
    assert.deepEqual(Object.keys(answer.body), [
      'active',
      'scope',
      'client_id',
      'token_type',
      'exp',
      'iat',
      'iss',
      'sub',
      'aud',
      'jti',
    ])
  })

  test('the caller own refresh token: active, without token_type, exp or aud (it never expires)', async ({
    assert,
  }) => {
    const { person, rp, tokens } = await codeFlow({ scope: 'openid profile' })
    const row = await tokenRow(tokens.refresh_token!)
    const answer = await introspect(rp, tokens.refresh_token!, 'refresh_token')
    assert.deepEqual(answer.body, {
      active: true,
      scope: 'openid profile',
      client_id: rp.id,
      iat: Math.floor(row.createdAt.toSeconds()),
      iss: ISSUER,
      sub: String(person.user.id),
    })
  })

  test('another client refresh token is inactive; another client access token is active', async ({
    assert,
  }) => {
    const { person, rp, tokens } = await codeFlow()
    const resourceServer = await createClient()
    assert.deepEqual((await introspect(resourceServer, tokens.refresh_token!)).body, {
      active: false,
    })
    const access = await introspect(resourceServer, tokens.access_token)
    assert.isTrue(access.body.active)
    assert.equal(access.body.client_id, rp.id)
    assert.equal(access.body.sub, String(person.user.id))
    assert.isNull(
      (await tokenRow(tokens.refresh_token!)).revokedAt,
      'introspection changes nothing'
    )
  })

  test('revoked, expired, rotated-out and unknown tokens give {"active":false} alone', async ({
    assert,
  }) => {
    const { rp, config, tokens } = await codeFlow()
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!)
    assert.deepEqual(
      (await introspect(rp, tokens.refresh_token!)).body,
      { active: false },
      'rotated out'
    )

    await oidc.tokenRevocation(config, tokens.access_token)
    assert.deepEqual((await introspect(rp, tokens.access_token)).body, { active: false }, 'revoked')

    await OidcToken.query()
      .where('hash', (await tokenRow(refreshed.access_token)).hash)
      .update({ expires_at: sqlTime(DateTime.utc().minus({ seconds: 1 })) })
    assert.deepEqual(
      (await introspect(rp, refreshed.access_token)).body,
      { active: false },
      'expired'
    )

    assert.deepEqual((await introspect(rp, 'no-such-token')).body, { active: false }, 'unknown')
    assert.isTrue((await introspect(rp, refreshed.refresh_token!)).body.active, 'the current RT')
  })

  test('tokens of an inactive user are inactive', async ({ assert }) => {
    const { person, rp, tokens } = await codeFlow()
    person.user.isActive = false
    await person.user.save()
    assert.deepEqual((await introspect(rp, tokens.access_token)).body, { active: false })
    assert.deepEqual((await introspect(rp, tokens.refresh_token!)).body, { active: false })
  })

  test('a public client gets 401 invalid_client', async ({ assert }) => {
    const { config, tokens } = await codeFlow({ auth: 'none' })
    const seen = await failure(oidc.tokenIntrospection(config, tokens.access_token))
    assert.deepEqual(seen, {
      status: 401,
      body: errorBody('invalid_client'),
      wwwAuthenticate: 'Bearer error="invalid_client"',
    })
    assert.isNull((await tokenRow(tokens.access_token)).revokedAt)
  })

  test('a missing token gives invalid_request "Missing token parameter."', async ({ assert }) => {
    const { rp, tokens } = await codeFlow()
    const page = await apiPost(INTROSPECT, { token_type_hint: 'access_token' }, rp)
    assert.equal(page.status, 400)
    assert.deepEqual(json(page), {
      error: 'invalid_request',
      error_description: 'Missing token parameter.',
    })
    assert.equal(page.headers.get('cache-control'), 'no-store')
    assert.equal(page.headers.get('pragma'), 'no-cache')
    assert.isNull((await tokenRow(tokens.access_token)).revokedAt)
  })
})
