import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { test } from '@japa/runner'
import type { Assert } from '@japa/assert'
import {
  SignJWT,
  createRemoteJWKSet,
  decodeProtectedHeader,
  generateKeyPair,
  jwtVerify,
} from 'jose'
import db from '@adonisjs/lucid/services/db'
import OidcToken from '#models/oidc_token'
import keyStore from '#services/oidc/keys/key_store'
import { BASE_URL, Browser, isSignedIn, readForm, type Page } from '#tests/helpers/browser'
import { LOGOUT, REDIRECT } from '#tests/helpers/endpoints'
import { createClient, createUser, type TestClient, type TestUser } from '#tests/helpers/factories'
import {
  ISSUER,
  authorizationUrl,
  discoverAs,
  oidc,
  redeemCallback,
  runCodeFlow,
} from '#tests/helpers/relying_party'
import { BackchannelReceiver } from '#tests/helpers/backchannel_receiver'
import { startApp } from '#tests/helpers/app_process'
import { backchannelDelivery } from '#services/oidc/logout/backchannel'

const BYE = 'https://rp.example/bye'
const LOGOUT_FORM = `form[action="${LOGOUT}"]`
const BACKCHANNEL_EVENT = 'http://schemas.openid.net/event/backchannel-logout'

function logoutUrl(params: Record<string, string>, base = '') {
  return `${base}${LOGOUT}?${new URLSearchParams(params)}`
}

/** The person signs in (if not yet) and the RP runs the code flow with openid-client */
async function signInto(
  rp: TestClient,
  person: TestUser,
  browser = new Browser(),
  scope = 'openid'
) {
  const config = await discoverAs(rp, 'basic')
  const tokens = await runCodeFlow(config, browser, person, scope)
  return { browser, tokens, idToken: tokens.id_token!, sid: tokens.claims()?.sid as string }
}

async function liveTokens(userId: number, clientId: string) {
  return (
    await OidcToken.query()
      .where('user_id', userId)
      .where('client_id', clientId)
      .whereNull('revoked_at')
  ).length
}

async function sessionClients(sid: string) {
  return (await db.from('oidc_session_clients').where('sid', sid).orderBy('client_id')).map(
    (row) => row.client_id as string
  )
}

/** A hint signed with our key; `claims` may be expired or carry another issuer */
function ourHint(claims: { sub: string; aud: string; iss?: string; iat?: number; exp?: number }) {
  const iat = Math.floor(Date.now() / 1000)
  return keyStore.sign({ iss: ISSUER, iat, exp: iat + 300, ...claims }, 'JWT')
}

function assertAskPage(assert: Assert, page: Page, hidden: Record<string, string>) {
  assert.equal(page.status, 200, page.body.slice(0, 500))
  assert.include(page.body, '<h1>Sign Out</h1>')
  assert.equal(page.headers.get('cache-control'), 'no-store')
  assert.equal(page.headers.get('x-frame-options'), 'DENY')
  const form = readForm(page.body, LOGOUT_FORM)
  assert.equal(form.method, 'post')
  const fields = Object.fromEntries(form.fields)
  assert.match(fields._csrf, /\S{10,}/)
  delete fields._csrf
  assert.deepEqual(fields, hidden)
  assert.match(page.body, /<button[^>]*name="action" value="logout"[^>]*>Sign Out<\/button>/)
  assert.match(page.body, /<button[^>]*name="action" value="stay"[^>]*>Stay Signed In<\/button>/)
}

function assertErrorPage(assert: Assert, page: Page) {
  assert.equal(page.status, 400, page.body.slice(0, 500))
  assert.isNull(page.location)
  assert.include(page.body, '<h1>Something Went Wrong</h1>')
  assert.include(page.body, 'invalid_request')
  assert.notInclude(page.body, 'evil.example')
  assert.notInclude(page.body, 'rp.example')
}

test.group('RP-initiated logout', () => {
  test('asks, signs out, revokes the client tokens, redirects with state and notifies the RP', async ({
    assert,
    cleanup,
  }) => {
    const receiver = new BackchannelReceiver()
    cleanup(() => receiver.stop())
    const person = await createUser()
    const rp = await createClient({
      redirectUris: [REDIRECT],
      postLogoutRedirectUris: ['https://rp.example/bye'],
      backchannelLogoutUri: await receiver.start(),
    })
    const config = await discoverAs(rp, 'basic')
    const browser = new Browser()
    const tokens = await runCodeFlow(config, browser, person)
    const sid = tokens.claims()!.sid

    const endSession = oidc.buildEndSessionUrl(config, {
      id_token_hint: tokens.id_token!,
      post_logout_redirect_uri: 'https://rp.example/bye',
      state: 'st-1',
    })
    const ask = await browser.get(endSession.href)
    assert.equal(ask.status, 200)
    assert.include(ask.body, 'Sign Out')
    const notified = receiver.next()
    const done = await browser.submit(readForm(ask.body, 'form[action="/identity/o/logout"]'), {
      action: 'logout',
    })
    assert.equal(done.status, 303)
    assert.equal(done.location, 'https://rp.example/bye?state=st-1')

    const live = await OidcToken.query().where('client_id', rp.id).whereNull('revoked_at')
    assert.lengthOf(live, 0)
    const home = await browser.get('/')
    assert.include(home.body, 'not signed in')

    await notified
    assert.lengthOf(receiver.tokens, 1)
    const { payload, protectedHeader } = await jwtVerify(
      receiver.tokens[0],
      createRemoteJWKSet(new URL(`${ISSUER}/.well-known/jwks.json`)),
      { issuer: ISSUER, audience: rp.id, typ: 'logout+jwt' }
    )
    assert.equal(protectedHeader.typ, 'logout+jwt')
    assert.equal(payload.sid, sid)
    assert.equal(payload.sub, String(person.user.id))
    assert.deepEqual(payload.events, { 'http://schemas.openid.net/event/backchannel-logout': {} })
    assert.notProperty(payload, 'nonce')
  })

  test('an unregistered post_logout_redirect_uri is never followed', async ({ assert }) => {
    const rp = await createClient({ redirectUris: [REDIRECT] })
    const page = await new Browser().get(
      `/identity/o/logout?client_id=${rp.id}&post_logout_redirect_uri=${encodeURIComponent('https://evil.example/')}`
    )
    assert.equal(page.status, 400)
    assert.isNull(page.location)
  })

  test('an anonymous visitor is never asked: straight to the registered URI, or to /', async ({
    assert,
  }) => {
    const rp = await createClient({ redirectUris: [REDIRECT], postLogoutRedirectUris: [BYE] })
    const browser = new Browser()
    const bare = await browser.get(LOGOUT)
    assert.equal(bare.status, 302)
    assert.equal(bare.location, `${BASE_URL}/`)
    assert.equal(bare.body, '')

    const get = await browser.get(
      logoutUrl({ client_id: rp.id, post_logout_redirect_uri: BYE, state: 'a b&c' })
    )
    assert.equal(get.status, 302)
    assert.equal(get.location, `${BYE}?state=a+b%26c`)

    const post = await browser.post(LOGOUT, {
      client_id: rp.id,
      post_logout_redirect_uri: BYE,
      state: 'st-post',
    })
    assert.equal(post.status, 303, post.body.slice(0, 300))
    assert.equal(post.location, `${BYE}?state=st-post`)

    const noState = await browser.post(LOGOUT, {
      client_id: rp.id,
      post_logout_redirect_uri: BYE,
      state: '',
    })
    assert.equal(noState.location, BYE, 'an empty state is no state')
    const home = await browser.post(LOGOUT, { state: 'ignored' })
    assert.equal(home.status, 303)
    assert.equal(home.location, `${BASE_URL}/`)
  })

  test('a signed-in user is always asked (default setting), even with their own hint, and nothing changes yet', async ({
    assert,
  }) => {
    const person = await createUser()
    const rp = await createClient({ redirectUris: [REDIRECT], postLogoutRedirectUris: [BYE] })
    const { browser, idToken, sid } = await signInto(rp, person)

    assertAskPage(assert, await browser.get(LOGOUT), {})
    const params = {
      id_token_hint: idToken,
      client_id: rp.id,
      post_logout_redirect_uri: BYE,
      state: 'st',
      ui_locales: 'en',
      logout_hint: 'x',
    }
    assertAskPage(assert, await browser.get(logoutUrl(params)), params)

    assert.isTrue(await isSignedIn(browser))
    assert.equal(await liveTokens(person.user.id, rp.id), 2)
    assert.deepEqual(await sessionClients(sid), [rp.id])
  })

  test('"stay" keeps the session but still revokes that client\'s tokens for that user (compat)', async ({
    assert,
    cleanup,
  }) => {
    const receiver = new BackchannelReceiver()
    cleanup(() => receiver.stop())
    const person = await createUser()
    const someoneElse = await createUser()
    const rp = await createClient({
      redirectUris: [REDIRECT],
      postLogoutRedirectUris: [BYE],
      backchannelLogoutUri: await receiver.start(),
    })
    const otherRp = await createClient({ redirectUris: [REDIRECT] })
    const { browser, idToken, sid } = await signInto(rp, person)
    await signInto(otherRp, person, browser)
    await signInto(rp, someoneElse)

    const ask = await browser.get(
      logoutUrl({ id_token_hint: idToken, post_logout_redirect_uri: BYE, state: 'st' })
    )
    const done = await browser.submit(readForm(ask.body, LOGOUT_FORM), { action: 'stay' })
    assert.equal(done.status, 303)
    assert.equal(done.location, `${BYE}?state=st`)

    assert.isTrue(await isSignedIn(browser))
    assert.equal(await liveTokens(person.user.id, rp.id), 0)
    assert.equal(await liveTokens(person.user.id, otherRp.id), 2, 'other clients keep theirs')
    assert.equal(await liveTokens(someoneElse.user.id, rp.id), 2, 'other users keep theirs')
    assert.deepEqual(
      await sessionClients(sid),
      [rp.id, otherRp.id].sort(),
      'the session goes on, so nobody is notified'
    )
    assert.lengthOf(receiver.tokens, 0)
  })

  test("an RP's POST without _csrf or action gets the ask page, whose own POST then acts", async ({
    assert,
  }) => {
    const person = await createUser()
    const rp = await createClient({ redirectUris: [REDIRECT], postLogoutRedirectUris: [BYE] })
    const { browser, idToken, sid } = await signInto(rp, person)
    const params = { id_token_hint: idToken, post_logout_redirect_uri: BYE, state: 'from-rp' }

    assertAskPage(assert, await browser.post(LOGOUT, params), params)
    assertAskPage(assert, await browser.post(LOGOUT, { ...params, action: 'logout' }), params)
    const ask = await browser.post(LOGOUT, { ...params, _csrf: 'whatever' })
    assertAskPage(assert, ask, params)
    assert.isTrue(await isSignedIn(browser))
    assert.equal(await liveTokens(person.user.id, rp.id), 2)

    const done = await browser.submit(readForm(ask.body, LOGOUT_FORM), { action: 'logout' })
    assert.equal(done.status, 303)
    assert.equal(done.location, `${BYE}?state=from-rp`)
    assert.isFalse(await isSignedIn(browser))
    assert.equal(await liveTokens(person.user.id, rp.id), 0)
    assert.deepEqual(await sessionClients(sid), [])
  })

  test('the ask form POSTed with a wrong _csrf gets 403 and changes nothing', async ({
    assert,
  }) => {
    const person = await createUser()
    const rp = await createClient({ redirectUris: [REDIRECT], postLogoutRedirectUris: [BYE] })
    const { browser, idToken, sid } = await signInto(rp, person)
    const ask = await browser.get(
      logoutUrl({ id_token_hint: idToken, post_logout_redirect_uri: BYE })
    )
    for (const action of ['logout', 'stay']) {
      const page = await browser.submit(readForm(ask.body, LOGOUT_FORM), {
        action,
        _csrf: 'forged',
      })
      assert.equal(page.status, 403, action)
      assert.isNull(page.location)
    }
    assert.isTrue(await isSignedIn(browser))
    assert.equal(await liveTokens(person.user.id, rp.id), 2)
    assert.deepEqual(await sessionClients(sid), [rp.id])
  })

  test('an unregistered post_logout_redirect_uri gives the 400 page: no redirect, no logout, no revocation', async ({
    assert,
  }) => {
    const person = await createUser()
    const rp = await createClient({ redirectUris: [REDIRECT], postLogoutRedirectUris: [BYE] })
    const { browser, idToken, sid } = await signInto(rp, person)
    for (const uri of [
      'https://evil.example/bye',
      `${BYE}/more`,
      `${BYE}?x=1`,
      'http://rp.example/bye',
      '/bye',
      'not a uri',
    ]) {
      assertErrorPage(
        assert,
        await browser.get(
          logoutUrl({ id_token_hint: idToken, post_logout_redirect_uri: uri, state: 'st' })
        )
      )
    }
    assertErrorPage(
      assert,
      await browser.post(LOGOUT, {
        id_token_hint: idToken,
        post_logout_redirect_uri: 'https://evil.example/',
      })
    )
    /* a real ask form whose URI was swapped */
    const ask = await browser.get(
      logoutUrl({ id_token_hint: idToken, post_logout_redirect_uri: BYE })
    )
    assertErrorPage(
      assert,
      await browser.submit(readForm(ask.body, LOGOUT_FORM), {
        action: 'logout',
        post_logout_redirect_uri: 'https://evil.example/',
      })
    )
    /* with no client known, no URI is accepted */
    assertErrorPage(assert, await browser.get(logoutUrl({ post_logout_redirect_uri: BYE })))

    assert.isTrue(await isSignedIn(browser))
    assert.equal(await liveTokens(person.user.id, rp.id), 2)
    assert.deepEqual(await sessionClients(sid), [rp.id])
  })

  test("state is set in the accepted URI's query, replacing one already there; other parameters and the fragment are kept", async ({
    assert,
  }) => {
    const listed = await createClient({
      redirectUris: [REDIRECT],
      postLogoutRedirectUris: ['https://rp.example/bye?lang=fr&state=old&x=%2F'],
    })
    const browser = new Browser()
    const replaced = await browser.get(
      logoutUrl({
        client_id: listed.id,
        post_logout_redirect_uri: 'https://rp.example/bye?lang=fr&state=old&x=%2F',
        state: 'new',
      })
    )
    assert.equal(replaced.location, 'https://rp.example/bye?lang=fr&state=new&x=%2F')
    const kept = await browser.get(
      logoutUrl({
        client_id: listed.id,
        post_logout_redirect_uri: 'https://rp.example/bye?lang=fr&state=old&x=%2F',
      })
    )
    assert.equal(
      kept.location,
      'https://rp.example/bye?lang=fr&state=old&x=%2F',
      'no state sent: the URI as registered'
    )

    const byOrigin = await createClient({ redirectUris: [REDIRECT] })
    const fragment = await browser.get(
      logoutUrl({
        client_id: byOrigin.id,
        post_logout_redirect_uri: 'https://rp.example/signed-out?from=idp#top',
        state: 's',
      })
    )
    assert.equal(fragment.status, 302)
    assert.equal(fragment.location, 'https://rp.example/signed-out?from=idp&state=s#top')
  })

  test('with no post_logout_redirect_uris, a URI on the origin of a redirect_uri is accepted, and only that', async ({
    assert,
  }) => {
    const rp = await createClient({ redirectUris: [REDIRECT, 'https://app.example:8443/cb'] })
    const browser = new Browser()
    for (const uri of [
      'https://rp.example/',
      'https://rp.example/anything/else?q=1',
      'https://RP.example:443/x',
      'https://app.example:8443/bye',
    ]) {
      const page = await browser.get(logoutUrl({ client_id: rp.id, post_logout_redirect_uri: uri }))
      assert.equal(page.status, 302, uri)
      assert.equal(page.location, new URL(uri).href, uri)
    }
    for (const uri of [
      'http://rp.example/',
      'https://rp.example:8443/',
      'https://sub.rp.example/',
      'https://app.example/bye',
      'https://evil.example/',
    ]) {
      assertErrorPage(
        assert,
        await browser.get(logoutUrl({ client_id: rp.id, post_logout_redirect_uri: uri }))
      )
    }
    /* once a list is registered, only its entries count */
    const listed = await createClient({ redirectUris: [REDIRECT], postLogoutRedirectUris: [BYE] })
    assertErrorPage(
      assert,
      await browser.get(
        logoutUrl({ client_id: listed.id, post_logout_redirect_uri: 'https://rp.example/' })
      )
    )
  })

  test("the client is taken from the hint's aud, and an expired hint signed by us still counts", async ({
    assert,
  }) => {
    const person = await createUser()
    const rp = await createClient({ redirectUris: [REDIRECT], postLogoutRedirectUris: [BYE] })
    const expired = await ourHint({
      sub: String(person.user.id),
      aud: rp.id,
      iat: 1_600_000_000,
      exp: 1_600_000_300,
    })

    const anonymous = await new Browser().get(
      logoutUrl({ id_token_hint: expired, post_logout_redirect_uri: BYE, state: 'st' })
    )
    assert.equal(anonymous.status, 302)
    assert.equal(anonymous.location, `${BYE}?state=st`)

    const { browser } = await signInto(rp, person)
    const ask = await browser.get(logoutUrl({ id_token_hint: expired }))
    assertAskPage(assert, ask, { id_token_hint: expired })
    assert.include(ask.body, 'Test RP', 'the client named by the hint')
    const stay = await browser.submit(readForm(ask.body, LOGOUT_FORM), { action: 'stay' })
    assert.equal(stay.location, `${BASE_URL}/`)
    assert.equal(
      await liveTokens(person.user.id, rp.id),
      0,
      "the hint's client had its tokens revoked"
    )
  })

  test('a hint that does not verify is treated as absent', async ({ assert }) => {
    const person = await createUser()
    const rp = await createClient({ redirectUris: [REDIRECT], postLogoutRedirectUris: [BYE] })
    const { browser, idToken } = await signInto(rp, person)
    const [header, payload, signature] = idToken.split('.')
    const tampered = `${header}.${payload}.${signature.slice(0, -6)}${signature.slice(-6) === 'AAAAAA' ? 'BBBBBB' : 'AAAAAA'}`
    const { kid } = decodeProtectedHeader(idToken)
    const { privateKey } = await generateKeyPair('RS256')
    const foreign = await new SignJWT({ sub: String(person.user.id), aud: rp.id })
      .setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' })
      .setIssuer(ISSUER)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(privateKey)
    const otherIssuer = await ourHint({
      sub: String(person.user.id),
      aud: rp.id,
      iss: 'https://other-idp.example',
    })
    const garbage = 'not.a.jwt'

    const anonymous = new Browser()
    for (const hint of [tampered, foreign, otherIssuer, garbage]) {
      /* absent hint, no client_id: no client is known, so the URI cannot be accepted */
      assertErrorPage(
        assert,
        await anonymous.get(logoutUrl({ id_token_hint: hint, post_logout_redirect_uri: BYE }))
      )
      /* absent hint with a client_id: the client alone decides */
      const page = await anonymous.get(
        logoutUrl({ id_token_hint: hint, client_id: rp.id, post_logout_redirect_uri: BYE })
      )
      assert.equal(page.status, 302)
      assert.equal(page.location, BYE)
      /* signed in: no client is named, so staying revokes nothing */
      const ask = await browser.get(logoutUrl({ id_token_hint: hint }))
      assert.notInclude(ask.body, 'Test RP')
      assert.equal(
        (await browser.submit(readForm(ask.body, LOGOUT_FORM), { action: 'stay' })).status,
        303
      )
    }
    assert.equal(await liveTokens(person.user.id, rp.id), 2)
    assert.isTrue(await isSignedIn(browser))
  })

  test('a hint whose aud differs from client_id drops both; an unknown client_id drops the hint too', async ({
    assert,
  }) => {
    const person = await createUser()
    /* both clients accept the URI, so only dropping them both can refuse it */
    const hinted = await createClient({ redirectUris: [REDIRECT], postLogoutRedirectUris: [BYE] })
    const named = await createClient({ redirectUris: [REDIRECT], postLogoutRedirectUris: [BYE] })
    const { browser, idToken } = await signInto(hinted, person)
    await signInto(named, person, browser)

    assertErrorPage(
      assert,
      await new Browser().get(
        logoutUrl({ id_token_hint: idToken, client_id: named.id, post_logout_redirect_uri: BYE })
      )
    )
    assertErrorPage(
      assert,
      await new Browser().get(
        logoutUrl({
          id_token_hint: idToken,
          client_id: 'no-such-client',
          post_logout_redirect_uri: BYE,
        })
      )
    )

    for (const clientId of [named.id, 'no-such-client']) {
      const ask = await browser.get(logoutUrl({ id_token_hint: idToken, client_id: clientId }))
      assert.notInclude(ask.body, 'Test RP', 'no client is named')
      const stay = await browser.submit(readForm(ask.body, LOGOUT_FORM), { action: 'stay' })
      assert.equal(stay.status, 303)
    }
    assert.equal(await liveTokens(person.user.id, hinted.id), 2, 'no client known, nothing revoked')
    assert.equal(await liveTokens(person.user.id, named.id), 2)
    assert.isTrue(await isSignedIn(browser))
  })

  test('a repeated parameter gives the 400 page and changes nothing; malformed input never gives a 500', async ({
    assert,
  }) => {
    const person = await createUser()
    const rp = await createClient({ redirectUris: [REDIRECT], postLogoutRedirectUris: [BYE] })
    const { browser, idToken, sid } = await signInto(rp, person)
    const values: Record<string, [string, string]> = {
      client_id: [rp.id, rp.id],
      post_logout_redirect_uri: [BYE, 'https://evil.example/'],
      state: ['a', 'b'],
      id_token_hint: [idToken, idToken],
      action: ['logout', 'stay'],
    }
    for (const [name, [first, second]] of Object.entries(values)) {
      const pairs: [string, string][] = [
        [name, first],
        [name, second],
      ]
      if (name !== 'client_id') pairs.unshift(['client_id', rp.id])
      const query = new URLSearchParams(pairs)
      for (const page of [
        await browser.get(`${LOGOUT}?${query}`),
        await browser.post(LOGOUT, query),
      ]) {
        assertErrorPage(assert, page)
        assert.include(page.body, `Duplicate ${name} parameter.`)
      }
    }
    const badEncoding = await browser.get(
      `${LOGOUT}?client_id=%zz&post_logout_redirect_uri=${encodeURIComponent(BYE)}`
    )
    assertErrorPage(assert, badEncoding)
    /* names the endpoint does not know are ignored, however they look */
    assertAskPage(assert, await browser.get(`${LOGOUT}?client_id[x]=1&state[]=2`), {})
    assertAskPage(
      assert,
      await browser.request('POST', LOGOUT, undefined, { 'content-type': 'application/json' }),
      {}
    )

    assert.isTrue(await isSignedIn(browser))
    assert.equal(await liveTokens(person.user.id, rp.id), 2)
    assert.deepEqual(await sessionClients(sid), [rp.id])
  })

  test('discovery advertises the end-session endpoint and back-channel logout', async ({
    assert,
  }) => {
    const response = await fetch(`${ISSUER}/.well-known/openid-configuration`)
    const metadata = (await response.json()) as Record<string, unknown>
    assert.equal(metadata.end_session_endpoint, `${ISSUER}${LOGOUT}`)
    assert.isTrue(metadata.backchannel_logout_supported)
    assert.isTrue(metadata.backchannel_logout_session_supported)
  })
})

type Event = string

/**
 * A back-channel endpoint that misbehaves: `500` answers 500, `hang` never
 * answers (the provider's timeout aborts it). Every request, and every abort
 * of an unanswered one, is pushed to `events`.
 */
async function misbehavingReceiver(name: string, behaviour: '500' | 'hang', events: Event[]) {
  const server: Server = createServer((request, response) => {
    events.push(`${name}:request`)
    request.resume()
    if (behaviour === '500') return void response.writeHead(500).end()
    response.on('close', () => {
      if (!response.writableEnded) events.push(`${name}:aborted`)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/backchannel-logout`
  const stop = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections()
      server.close(() => resolve())
    })
  return { url, stop }
}

/** A port with nothing listening */
async function unreachableUrl() {
  const probe = createServer()
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
  const port = (probe.address() as AddressInfo).port
  await new Promise<void>((resolve) => probe.close(() => resolve()))
  return `http://127.0.0.1:${port}/backchannel-logout`
}

async function waitFor(condition: () => boolean, what: string, ms = 15_000) {
  const deadline = Date.now() + ms
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

test.group('Back-channel logout', () => {
  test('failing receivers do not delay the logout response and are retried at most twice', async ({
    assert,
    cleanup,
  }) => {
    const events: Event[] = []
    const failing = await misbehavingReceiver('failing', '500', events)
    const hanging = await misbehavingReceiver('hanging', 'hang', events)
    cleanup(() => failing.stop())
    cleanup(() => hanging.stop())
    const healthy = new BackchannelReceiver()
    cleanup(() => healthy.stop())
    const person = await createUser()
    const clients = [
      await createClient({ redirectUris: [REDIRECT], backchannelLogoutUri: failing.url }),
      await createClient({ redirectUris: [REDIRECT], backchannelLogoutUri: hanging.url }),
      await createClient({
        redirectUris: [REDIRECT],
        backchannelLogoutUri: await unreachableUrl(),
      }),
      await createClient({ redirectUris: [REDIRECT], backchannelLogoutUri: await healthy.start() }),
    ]
    const browser = new Browser()
    let sid = ''
    for (const rp of clients) sid = (await signInto(rp, person, browser)).sid

    const ask = await browser.get(LOGOUT)
    const notified = healthy.next(15_000)
    const done = await browser.submit(readForm(ask.body, LOGOUT_FORM), { action: 'logout' })
    events.push('logout:response')
    assert.equal(done.status, 303)
    assert.equal(done.location, `${BASE_URL}/`)
    assert.isFalse(await isSignedIn(browser))

    await notified
    assert.lengthOf(healthy.tokens, 1, 'the others do not hold up a working receiver')
    await waitFor(
      () => events.filter((event) => event === 'failing:request').length === 3,
      'the two retries of the failing receiver'
    )
    await waitFor(() => events.includes('hanging:aborted'), 'the timeout of the hanging receiver')
    const response = events.indexOf('logout:response')
    const retries = events
      .map((event, index) => (event === 'failing:request' ? index : -1))
      .filter((index) => index >= 0)
      .slice(1)
    assert.isBelow(response, retries[0], events.join(' '))
    assert.isBelow(response, events.indexOf('hanging:aborted'), events.join(' '))

    /* the last retry comes 5 s after the second attempt; no fourth attempt follows it */
    await new Promise((resolve) => setTimeout(resolve, 2000))
    assert.equal(events.filter((event) => event === 'failing:request').length, 3, events.join(' '))
    assert.deepEqual(await sessionClients(sid), [])
  })

  test('every client that got an ID token in the session is sent a logout token; the others are not', async ({
    assert,
    cleanup,
  }) => {
    const receivers = [
      new BackchannelReceiver(),
      new BackchannelReceiver(),
      new BackchannelReceiver(),
      new BackchannelReceiver(),
    ]
    for (const receiver of receivers) cleanup(() => receiver.stop())
    const [first, second, noIdToken, otherSession] = receivers
    const person = await createUser()
    const jwks = createRemoteJWKSet(new URL(`${ISSUER}/.well-known/jwks.json`))
    const rpOne = await createClient({
      redirectUris: [REDIRECT],
      backchannelLogoutUri: await first.start(),
    })
    const rpTwo = await createClient({
      redirectUris: [REDIRECT],
      backchannelLogoutUri: await second.start(),
    })
    const rpOAuth = await createClient({
      redirectUris: [REDIRECT],
      backchannelLogoutUri: await noIdToken.start(),
    })
    const rpElsewhere = await createClient({
      redirectUris: [REDIRECT],
      backchannelLogoutUri: await otherSession.start(),
    })
    const rpNoUri = await createClient({ redirectUris: [REDIRECT] })

    const { browser, sid, idToken } = await signInto(rpOne, person)
    await signInto(rpTwo, person, browser)
    await signInto(rpNoUri, person, browser)
    const oauthOnly = await signInto(rpOAuth, person, browser, 'profile')
    assert.isUndefined(oauthOnly.tokens.id_token)
    const elsewhere = await signInto(rpElsewhere, person)
    assert.notEqual(elsewhere.sid, sid)
    assert.deepEqual(await sessionClients(sid), [rpOne.id, rpTwo.id, rpNoUri.id].sort())

    const ask = await browser.get(logoutUrl({ id_token_hint: idToken }))
    const arrivals = [first.next(5000), second.next(5000)]
    const done = await browser.submit(readForm(ask.body, LOGOUT_FORM), { action: 'logout' })
    assert.equal(done.status, 303)
    await Promise.all(arrivals)

    const jtis = new Set<string>()
    for (const [receiver, rp] of [
      [first, rpOne],
      [second, rpTwo],
    ] as const) {
      assert.lengthOf(receiver.tokens, 1)
      const { payload, protectedHeader } = await jwtVerify(receiver.tokens[0], jwks, {
        issuer: ISSUER,
        audience: rp.id,
        typ: 'logout+jwt',
      })
      assert.deepEqual(Object.keys(protectedHeader), ['alg', 'kid', 'typ'])
      assert.deepEqual(Object.keys(payload), [
        'iss',
        'aud',
        'iat',
        'exp',
        'jti',
        'sub',
        'sid',
        'events',
      ])
      assert.equal(payload.aud, rp.id)
      assert.equal(payload.exp, payload.iat! + 120)
      assert.isAtMost(Math.abs(payload.iat! - Date.now() / 1000), 10)
      assert.match(payload.jti!, /^[0-9a-f]{32}$/)
      jtis.add(payload.jti!)
      assert.equal(payload.sub, String(person.user.id))
      assert.equal(payload.sid, sid)
      assert.deepEqual(payload.events, { [BACKCHANNEL_EVENT]: {} })
    }
    assert.equal(jtis.size, 2)
    assert.deepEqual(
      await sessionClients(sid),
      [],
      "the session's rows go once the notices are sent"
    )
    assert.deepEqual(
      await sessionClients(elsewhere.sid),
      [rpElsewhere.id],
      'the other session is untouched'
    )
    assert.isTrue(await isSignedIn(elsewhere.browser))
    assert.lengthOf(noIdToken.tokens, 0)
    assert.lengthOf(otherSession.tokens, 0)
  })

  test('POST /accounts/logout/ ends the session and starts back-channel logout too', async ({
    assert,
    cleanup,
  }) => {
    const receiver = new BackchannelReceiver()
    cleanup(() => receiver.stop())
    const person = await createUser()
    const rp = await createClient({
      redirectUris: [REDIRECT],
      backchannelLogoutUri: await receiver.start(),
    })
    const { browser, sid } = await signInto(rp, person)

    const home = await browser.get('/')
    const notified = receiver.next(5000)
    const done = await browser.submit(readForm(home.body, 'form[action="/accounts/logout/"]'))
    assert.equal(done.status, 303)
    assert.isFalse(await isSignedIn(browser))
    await notified
    assert.lengthOf(receiver.tokens, 1)
    const { payload } = await jwtVerify(
      receiver.tokens[0],
      createRemoteJWKSet(new URL(`${ISSUER}/.well-known/jwks.json`)),
      { issuer: ISSUER, audience: rp.id, typ: 'logout+jwt' }
    )
    assert.equal(payload.sid, sid)
    assert.deepEqual(await sessionClients(sid), [])
    assert.equal(
      await liveTokens(person.user.id, rp.id),
      2,
      'signing out at the provider revokes nothing'
    )
  })
})

test.group('Back-channel logout outbox', () => {
  test('a notice the ending process never sent is sent by another app process', async ({
    assert,
    cleanup,
  }) => {
    /* this process stops delivering, as if it had died right after answering */
    await backchannelDelivery.stop()
    cleanup(() => backchannelDelivery.start())
    const receiver = new BackchannelReceiver()
    cleanup(() => receiver.stop())
    const person = await createUser()
    const rp = await createClient({
      redirectUris: [REDIRECT],
      backchannelLogoutUri: await receiver.start(),
    })
    const { browser, sid } = await signInto(rp, person)

    const home = await browser.get('/')
    const done = await browser.submit(readForm(home.body, 'form[action="/accounts/logout/"]'))
    assert.equal(done.status, 303)
    const [queued] = await db.from('oidc_backchannel_outbox').where('sid', sid)
    assert.equal(queued.client_id, rp.id, 'the notice is stored before the answer')
    assert.deepEqual(await sessionClients(sid), [])
    assert.lengthOf(receiver.tokens, 0)

    const notified = receiver.next(15_000)
    const other = await startApp()
    cleanup(() => other.stop())
    await notified
    assert.lengthOf(receiver.tokens, 1)
    const { payload } = await jwtVerify(
      receiver.tokens[0],
      createRemoteJWKSet(new URL(`${ISSUER}/.well-known/jwks.json`)),
      { issuer: ISSUER, audience: rp.id, typ: 'logout+jwt' }
    )
    assert.equal(payload.sid, sid)
    assert.equal(payload.sub, String(person.user.id))
    /* the row goes once the receiver has answered */
    const deadline = Date.now() + 5000
    while ((await db.from('oidc_backchannel_outbox').where('sid', sid)).length) {
      assert.isBelow(Date.now(), deadline, 'the delivered notice is forgotten')
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }).timeout(60_000)
})

test.group(
  'RP-initiated logout with IDP_OIDC_RP_INITIATED_LOGOUT_ASKS_FOR_OP_LOGOUT=false',
  (group) => {
    let app: Awaited<ReturnType<typeof startApp>>
    group.setup(async () => {
      app = await startApp({ IDP_OIDC_RP_INITIATED_LOGOUT_ASKS_FOR_OP_LOGOUT: 'false' })
      return () => app.stop()
    })

    /** An ID token from the second process (its issuer is its own URL) for a person signed in on `browser` */
    async function idTokenFrom(rp: TestClient, browser: Browser) {
      const config = await oidc.discovery(
        new URL(app.url),
        rp.id,
        undefined,
        oidc.ClientSecretBasic(rp.secret!),
        { execute: [oidc.allowInsecureRequests] }
      )
      const { url, secrets } = await authorizationUrl(config, REDIRECT, 'openid')
      const leaving = await browser.get(url)
      const tokens = await redeemCallback(config, new URL(leaving.location!), secrets)
      return tokens.id_token!
    }

    test("the session user's own hint logs out without a question", async ({ assert }) => {
      const person = await createUser()
      const rp = await createClient({
        redirectUris: [REDIRECT],
        postLogoutRedirectUris: [BYE],
        skipConsent: true,
      })
      const browser = new Browser()
      await browser.signIn(person.email, person.password)
      const idToken = await idTokenFrom(rp, browser)

      const done = await browser.get(
        logoutUrl({ id_token_hint: idToken, post_logout_redirect_uri: BYE, state: 'st' }, app.url)
      )
      assert.equal(done.status, 302, done.body.slice(0, 500))
      assert.equal(done.location, `${BYE}?state=st`)
      assert.isFalse(await isSignedIn(browser))
      assert.equal(await liveTokens(person.user.id, rp.id), 0)

      /* an RP's POST needs no question either */
      await browser.signIn(person.email, person.password)
      const again = await idTokenFrom(rp, browser)
      const posted = await browser.post(`${app.url}${LOGOUT}`, {
        id_token_hint: again,
        post_logout_redirect_uri: BYE,
      })
      assert.equal(posted.status, 303)
      assert.equal(posted.location, BYE)
      assert.isFalse(await isSignedIn(browser))
    })

    test("a question when the hint is another user's, or there is no hint", async ({ assert }) => {
      const person = await createUser()
      const other = await createUser()
      const rp = await createClient({
        redirectUris: [REDIRECT],
        postLogoutRedirectUris: [BYE],
        skipConsent: true,
      })
      const otherBrowser = new Browser()
      await otherBrowser.signIn(other.email, other.password)
      const othersHint = await idTokenFrom(rp, otherBrowser)
      const browser = new Browser()
      await browser.signIn(person.email, person.password)
      await idTokenFrom(rp, browser)

      const requests: Record<string, string>[] = [
        { id_token_hint: othersHint },
        { client_id: rp.id },
        {},
      ]
      for (const params of requests) {
        const page = await browser.get(logoutUrl(params, app.url))
        assertAskPage(assert, page, params)
      }
      assert.isTrue(await isSignedIn(browser))
      assert.equal(await liveTokens(person.user.id, rp.id), 2)
    })
  }
)
