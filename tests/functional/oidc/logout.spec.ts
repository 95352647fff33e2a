import { test } from '@japa/runner'
import { createRemoteJWKSet, jwtVerify } from 'jose'
import OidcToken from '#models/oidc_token'
import { Browser, readForm } from '#tests/helpers/browser'
import { createClient, createUser } from '#tests/helpers/factories'
import { ISSUER, authorizationUrl, authorizeInBrowser, discoverAs, oidc } from '#tests/helpers/relying_party'
import { BackchannelReceiver } from '#tests/helpers/backchannel_receiver'

const REDIRECT = 'https://rp.example/callback'

test.group('RP-initiated and back-channel logout', () => {
  test('asks, signs out, revokes the client tokens, redirects with state and notifies the RP', async ({ assert, cleanup }) => {
    const receiver = new BackchannelReceiver()
    cleanup(() => receiver.stop())
    const person = await createUser()
    const rp = await createClient({ redirectUris: [REDIRECT], postLogoutRedirectUris: ['https://rp.example/bye'], backchannelLogoutUri: await receiver.start() })
    const config = await discoverAs(rp, 'basic')
    const browser = new Browser()
    const { url, secrets } = await authorizationUrl(config, REDIRECT, 'openid')
    const leaving = await authorizeInBrowser(browser, url, person)
    const tokens = await oidc.authorizationCodeGrant(config, new URL(leaving.location!), { pkceCodeVerifier: secrets.verifier, expectedState: secrets.state, expectedNonce: secrets.nonce })
    const sid = tokens.claims()!.sid

    const endSession = oidc.buildEndSessionUrl(config, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: 'https://rp.example/bye', state: 'st-1' })
    const ask = await browser.get(endSession.href)
    assert.equal(ask.status, 200)
    assert.include(ask.body, 'Sign Out')
    const notified = receiver.next()
    const done = await browser.submit(readForm(ask.body, 'form[action="/identity/o/logout"]'), { action: 'logout' })
    assert.equal(done.status, 303)
    assert.equal(done.location, 'https://rp.example/bye?state=st-1')

    const live = await OidcToken.query().where('client_id', rp.id).whereNull('revoked_at')
    assert.lengthOf(live, 0)
    const home = await browser.get('/')
    assert.include(home.body, 'not signed in')

    await notified
    assert.lengthOf(receiver.tokens, 1)
    const { payload, protectedHeader } = await jwtVerify(receiver.tokens[0], createRemoteJWKSet(new URL(`${ISSUER}/.well-known/jwks.json`)), { issuer: ISSUER, audience: rp.id, typ: 'logout+jwt' })
    assert.equal(protectedHeader.typ, 'logout+jwt')
    assert.equal(payload.sid, sid)
    assert.equal(payload.sub, String(person.user.id))
    assert.deepEqual(payload.events, { 'http://schemas.openid.net/event/backchannel-logout': {} })
    assert.notProperty(payload, 'nonce')
  })

  test('an unregistered post_logout_redirect_uri is never followed', async ({ assert }) => {
    const rp = await createClient({ redirectUris: [REDIRECT] })
    const page = await new Browser().get(`/identity/o/logout?client_id=${rp.id}&post_logout_redirect_uri=${encodeURIComponent('https://evil.example/')}`)
    assert.equal(page.status, 400)
    assert.isNull(page.location)
  })
})
