import { test } from '@japa/runner'
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose'
import { TOKEN } from '#tests/helpers/endpoints'
import { createClient } from '#tests/helpers/factories'
import { ISSUER, discoverAs, oidc } from '#tests/helpers/relying_party'
import { apiPost, clientRows, failure, json, tokenRow, useSettings } from '#tests/helpers/tokens'
import { errorBody } from '#tests/helpers/oauth_errors'

const GRANT = ['client_credentials']

function machineClient(overrides: Parameters<typeof createClient>[0] = {}) {
  return createClient({ grantTypes: GRANT, scopes: ['openid', 'profile', 'api'], ...overrides })
}

test.group('Client credentials grant', () => {
  test('issues an access token only: no refresh token, no ID token even with openid', async ({
    assert,
  }) => {
    const rp = await machineClient()
    const config = await discoverAs(rp, 'basic')
    const tokens = await oidc.clientCredentialsGrant(config, { scope: 'openid api' })
    assert.equal(tokens.scope, 'openid api')
    assert.equal(tokens.expires_in, 3600)
    assert.isUndefined(tokens.refresh_token)
    assert.isUndefined(tokens.id_token)

    const rows = await clientRows(rp.id)
    assert.lengthOf(rows, 1)
    const [row] = rows
    assert.equal(row.type, 'at')
    assert.isNull(row.userId)
    assert.isNull(row.authTime)
    assert.isNull(row.sid)
    assert.deepEqual(row.scopes, ['openid', 'api'])
    assert.equal(row.hash, (await tokenRow(tokens.access_token)).hash)
    assert.match(row.familyId, /^[A-Za-z0-9_-]{22}$/)
  })

  test('the response has exactly access_token, expires_in, token_type and scope, in order; scope is "" without scopes', async ({
    assert,
  }) => {
    const rp = await machineClient({ defaultScopes: [] })
    const page = await apiPost(TOKEN, { grant_type: 'client_credentials' }, rp)
    assert.equal(page.status, 200)
    const body = json(page)
    assert.deepEqual(Object.keys(body), ['access_token', 'expires_in', 'token_type', 'scope'])
    assert.equal(body.token_type, 'Bearer')
    assert.equal(body.expires_in, 3600)
    assert.equal(body.scope, '')
    assert.equal(page.headers.get('cache-control'), 'no-store')
    assert.equal(page.headers.get('pragma'), 'no-cache')
    assert.deepEqual((await tokenRow(body.access_token as string)).scopes, [])
  })

  test('without a scope parameter the client default scopes are granted', async ({ assert }) => {
    const rp = await machineClient({ defaultScopes: ['api', 'profile'] })
    const tokens = await oidc.clientCredentialsGrant(await discoverAs(rp, 'post'))
    assert.equal(tokens.scope, 'api profile')
    assert.deepEqual((await tokenRow(tokens.access_token)).scopes, ['api', 'profile'])
  })

  test('a scope the client does not hold gives invalid_scope and issues nothing', async ({
    assert,
  }) => {
    const rp = await machineClient()
    const seen = await failure(
      oidc.clientCredentialsGrant(await discoverAs(rp, 'basic'), { scope: 'api email' })
    )
    assert.deepEqual(seen, { status: 400, body: errorBody('invalid_scope'), wwwAuthenticate: null })
    assert.lengthOf(await clientRows(rp.id), 0)
  })

  test('a public client gets 401 invalid_client (compat)', async ({ assert }) => {
    const rp = await machineClient({ type: 'public' })
    const seen = await failure(oidc.clientCredentialsGrant(await discoverAs(rp, 'none')))
    assert.deepEqual(seen, {
      status: 401,
      body: errorBody('invalid_client'),
      wwwAuthenticate: 'Bearer error="invalid_client"',
    })
    assert.lengthOf(await clientRows(rp.id), 0)
  })

  test('a client without the grant gets unauthorized_client', async ({ assert }) => {
    const rp = await createClient({ grantTypes: ['authorization_code', 'refresh_token'] })
    const seen = await failure(oidc.clientCredentialsGrant(await discoverAs(rp, 'basic')))
    assert.deepEqual(seen, {
      status: 400,
      body: errorBody('unauthorized_client'),
      wwwAuthenticate: null,
    })
    assert.lengthOf(await clientRows(rp.id), 0)
  })

  test('userinfo refuses the token: it has no user (401 invalid_token)', async ({ assert }) => {
    const rp = await machineClient()
    const config = await discoverAs(rp, 'basic')
    const tokens = await oidc.clientCredentialsGrant(config, { scope: 'openid profile' })
    const seen = await failure(
      oidc.fetchUserInfo(config, tokens.access_token, oidc.skipSubjectCheck)
    )
    assert.equal(seen.status, 401)
    assert.deepEqual(seen.body, {
      error: 'invalid_token',
      error_description:
        'The access token provided is expired, revoked, malformed, or invalid for other reasons.',
    })
    assert.match(seen.wwwAuthenticate!, /^Bearer error="invalid_token"/)
    assert.isNull((await tokenRow(tokens.access_token)).revokedAt)
  })

  test('introspection shows no sub (S19)', async ({ assert }) => {
    const rp = await machineClient()
    const config = await discoverAs(rp, 'basic')
    const tokens = await oidc.clientCredentialsGrant(config, { scope: 'api' })
    const answer = await oidc.tokenIntrospection(config, tokens.access_token)
    assert.isTrue(answer.active)
    assert.equal(answer.client_id, rp.id)
    assert.equal(answer.scope, 'api')
    assert.notProperty(answer, 'sub')
  })

  test('as a JWT the access token carries no sub, and carries aud (S19, S23)', async ({
    assert,
    cleanup,
  }) => {
    useSettings(cleanup, { accessTokenFormat: 'jwt' })
    const rp = await machineClient()
    const tokens = await oidc.clientCredentialsGrant(await discoverAs(rp, 'basic'), {
      scope: 'api',
    })
    const { payload } = await jwtVerify(
      tokens.access_token,
      createRemoteJWKSet(new URL(`${ISSUER}/.well-known/jwks.json`)),
      { issuer: ISSUER, audience: ISSUER, typ: 'at+jwt' }
    )
    assert.notProperty(payload, 'sub')
    assert.notProperty(payload, 'auth_time')
    assert.equal(payload.client_id, rp.id)
    assert.equal(payload.scope, 'api')
    assert.equal(payload.token_use, 'access')
    assert.equal(decodeProtectedHeader(tokens.access_token).typ, 'at+jwt')
    assert.equal((await tokenRow(tokens.access_token)).jti, payload.jti)
  })
})
