import { test } from '@japa/runner'
import { Browser } from '#tests/helpers/browser'
import { REDIRECT } from '#tests/helpers/endpoints'
import { createClient, createUser } from '#tests/helpers/factories'
import {
  ISSUER,
  authorizationUrl,
  authorizeInBrowser,
  discoverAs,
  oidc,
  redeemCallback,
  type ClientAuth,
} from '#tests/helpers/relying_party'
import { codeFlow, tokenRow, useSettings } from '#tests/helpers/tokens'
import { createRemoteJWKSet, jwtVerify } from 'jose'
import keyStore from '#services/oidc/keys/key_store'

test.group('Authorization code flow with openid-client', () => {
  test('signs a person in end to end ({$self})')
    .with(['post', 'basic', 'none'] as ClientAuth[])
    .run(async ({ assert }, auth) => {
      const person = await createUser({ firstName: 'Grace', lastName: 'Hopper' })
      const rp = await createClient({
        type: auth === 'none' ? 'public' : 'confidential',
        redirectUris: [REDIRECT],
      })
      const config = await discoverAs(rp, auth)
      const { url, secrets } = await authorizationUrl(config, REDIRECT, 'openid profile email')

      const leaving = await authorizeInBrowser(new Browser(), url, person)
      assert.equal(leaving.status, 303)
      const callback = new URL(leaving.location!)
      assert.equal(callback.origin + callback.pathname, REDIRECT)
      assert.equal(callback.searchParams.get('iss'), config.serverMetadata().issuer)

      const tokens = await redeemCallback(config, callback, secrets, {
        expectedNonce: secrets.nonce,
        idTokenExpected: true,
      })
      const claims = tokens.claims()!
      assert.equal(claims.sub, String(person.user.id))
      assert.equal(claims.aud, rp.id)
      assert.equal(claims.azp, rp.id)
      assert.equal(claims.email, person.email)
      assert.isNumber(claims.auth_time)
      assert.isString(claims.sid)
      assert.equal(tokens.token_type, 'bearer')
      assert.equal(tokens.scope, 'openid profile email')
      assert.isString(tokens.refresh_token)

      const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub)
      assert.deepInclude(userinfo, {
        sub: String(person.user.id),
        name: 'Grace Hopper',
        given_name: 'Grace',
        email: person.email,
        email_verified: true,
      })
    })
})

test.group('Authorization code exchange with JWT access tokens', () => {
  test('answers even when every signature must reload the keys (SQLite has one connection)', async ({
    assert,
    cleanup,
  }) => {
    useSettings(cleanup, { accessTokenFormat: 'jwt' })
    const load = keyStore.load
    /* as if the key cache had just run out: every signature reads the keys from the database */
    keyStore.load = () => load.call(keyStore, true)
    cleanup(() => void (keyStore.load = load))
    const { tokens } = await codeFlow()
    const { payload } = await jwtVerify(
      tokens.access_token,
      createRemoteJWKSet(new URL(`${ISSUER}/.well-known/jwks.json`)),
      { typ: 'at+jwt', issuer: ISSUER, audience: ISSUER }
    )
    assert.equal((await tokenRow(tokens.access_token)).jti, payload.jti)
  }).timeout(10_000)
})
