import { test } from '@japa/runner'
import { Browser } from '#tests/helpers/browser'
import { createClient, createUser } from '#tests/helpers/factories'
import { authorizationUrl, authorizeInBrowser, discoverAs, oidc, type ClientAuth } from '#tests/helpers/relying_party'

const REDIRECT = 'https://rp.example/callback'

test.group('Authorization code flow with openid-client', () => {
  test('signs a person in end to end ({$self})')
    .with(['post', 'basic', 'none'] as ClientAuth[])
    .run(async ({ assert }, auth) => {
      const person = await createUser({ firstName: 'Grace', lastName: 'Hopper' })
      const rp = await createClient({ type: auth === 'none' ? 'public' : 'confidential', redirectUris: [REDIRECT] })
      const config = await discoverAs(rp, auth)
      const { url, secrets } = await authorizationUrl(config, REDIRECT, 'openid profile email')

      const leaving = await authorizeInBrowser(new Browser(), url, person)
      assert.equal(leaving.status, 303)
      const callback = new URL(leaving.location!)
      assert.equal(callback.origin + callback.pathname, REDIRECT)
      assert.equal(callback.searchParams.get('iss'), config.serverMetadata().issuer)

      const tokens = await oidc.authorizationCodeGrant(config, callback, {
        pkceCodeVerifier: secrets.verifier,
        expectedState: secrets.state,
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
      assert.deepInclude(userinfo, { sub: String(person.user.id), name: 'Grace Hopper', given_name: 'Grace', email: person.email, email_verified: true })
    })
})
