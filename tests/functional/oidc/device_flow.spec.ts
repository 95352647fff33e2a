import { createHash } from 'node:crypto'
import { request as httpRequest } from 'node:http'
import { test } from '@japa/runner'
import { createRemoteJWKSet, jwtVerify } from 'jose'
import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import oidcConfig from '#config/oidc'
import OidcDeviceCode from '#models/oidc_device_code'
import OidcToken from '#models/oidc_token'
import { sqlTime } from '#models/columns'
import { BASE_URL, Browser, readForm } from '#tests/helpers/browser'
import { DEVICE_CODE, DEVICE_GRANT, DEVICE_PAGE, TOKEN } from '#tests/helpers/endpoints'
import { createClient, createUser, type TestClient, type TestUser } from '#tests/helpers/factories'
import { assertJsonError, basic, postForm } from '#tests/helpers/oauth_checks'
import { ISSUER, discoverAs, oidc } from '#tests/helpers/relying_party'
import { halfHash } from '#tests/helpers/tokens'
import { errorBody } from '#tests/helpers/oauth_errors'
const INCORRECT = 'Incorrect code.'
const TOO_MANY = 'Be patient, you are sending too many requests.'
const JWKS = createRemoteJWKSet(new URL(`${ISSUER}/.well-known/jwks.json`))

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
/** Longer than IDP_OIDC_DEVICE_CODE_INTERVAL (1 s in .env.test), so that the next poll is not a slow_down */
const waitInterval = () => sleep(oidcConfig.deviceCodeInterval * 1000 + 100)

function deviceClient(overrides: Parameters<typeof createClient>[0] = {}) {
  return createClient({ type: 'public', grantTypes: [DEVICE_GRANT], ...overrides })
}

/** Client authentication as the client's type needs it: client_id alone, or Basic */
function credentials(rp: TestClient): {
  params: Record<string, string>
  headers: Record<string, string>
} {
  return rp.secret
    ? { params: {}, headers: { authorization: basic(rp.id, rp.secret) } }
    : { params: { client_id: rp.id }, headers: {} }
}

async function requestDeviceCode(rp: TestClient, params: Record<string, string> = {}) {
  const auth = credentials(rp)
  const page = await postForm(DEVICE_CODE, { ...auth.params, ...params }, auth.headers)
  if (page.status !== 200) throw new Error(`device code: ${page.status} ${page.body}`)
  return JSON.parse(page.body) as {
    verification_uri: string
    expires_in: number
    user_code: string
    device_code: string
    interval: number
    verification_uri_complete: string
  }
}

function poll(rp: TestClient, deviceCode: string, extra: Record<string, string> = {}) {
  const auth = credentials(rp)
  return postForm(
    TOKEN,
    { grant_type: DEVICE_GRANT, device_code: deviceCode, ...auth.params, ...extra },
    auth.headers
  )
}

function row(userCode: string) {
  return OidcDeviceCode.findByOrFail('user_code', userCode.replace(/-/g, ''))
}

async function deviceRowCount(clientId: string) {
  const result = await db
    .from('oidc_device_codes')
    .where('client_id', clientId)
    .count('* as total')
    .first()
  return Number(result.total)
}

async function totalDeviceRows() {
  const result = await db.from('oidc_device_codes').count('* as total').first()
  return Number(result.total)
}

async function signedInBrowser(person: TestUser) {
  const browser = new Browser()
  const page = await browser.signIn(person.email, person.password)
  if (page.status !== 303) throw new Error(`sign-in failed: ${page.status}`)
  return browser
}

/** Opens the confirm page for the code and presses a button */
async function decide(browser: Browser, userCode: string, action: string) {
  const confirm = await browser.get(`${DEVICE_PAGE}?code=${encodeURIComponent(userCode)}`)
  if (!confirm.body.includes('Confirm Device'))
    throw new Error(`no confirm page: ${confirm.status} ${confirm.body.slice(0, 500)}`)
  return browser.submit(readForm(confirm.body, `form[action="${DEVICE_PAGE}"]`), { action })
}

let addressSequence = 0

/**
 * A loopback address no other request uses, so that failed code lookups count
 * against a `device_user_code` counter of their own: every other request of the
 * run comes from 127.0.0.1 and shares that per-IP counter.
 */
function ownAddress() {
  return `127.77.${1 + Math.floor(Math.random() * 250)}.${++addressSequence}`
}

/** A GET of a page with the browser's cookies, sent from `localAddress` (fetch cannot choose one) */
function getFrom(localAddress: string, browser: Browser, path: string) {
  return new Promise<{ status: number; retryAfter: string | undefined; body: string }>(
    (resolve, reject) => {
      const cookie = [...browser.cookies].map(([name, value]) => `${name}=${value}`).join('; ')
      const request = httpRequest(new URL(path, BASE_URL), {
        method: 'GET',
        localAddress,
        headers: { cookie },
      })
      request.on('response', (response) => {
        let body = ''
        response.setEncoding('utf8')
        response.on('data', (chunk) => (body += chunk))
        response.on('end', () =>
          resolve({
            status: response.statusCode!,
            retryAfter: response.headers['retry-after'],
            body,
          })
        )
      })
      request.on('error', reject)
      request.end()
    }
  )
}

test.group('Device authorization flow', () => {
  test('a polling device gets tokens once the person confirms the code', async ({ assert }) => {
    const person = await createUser()
    const rp = await createClient({ type: 'public', grantTypes: [DEVICE_GRANT, 'refresh_token'] })
    const config = await discoverAs(rp, 'none')
    const device = await oidc.initiateDeviceAuthorization(config, { scope: 'openid email' })
    assert.match(device.user_code, /^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/)
    assert.equal(
      device.verification_uri_complete,
      `${device.verification_uri}?code=${device.user_code}`
    )

    const polling = oidc.pollDeviceAuthorizationGrant(config, device)

    const browser = new Browser()
    await browser.signIn(person.email, person.password)
    const typed = device.user_code.toLowerCase().replace('-', ' ')
    const confirm = await browser.submit(readForm((await browser.get(DEVICE_PAGE)).body), {
      code: typed,
    })
    assert.equal(confirm.status, 200)
    assert.include(confirm.body, 'Confirm Device')
    assert.include(confirm.body, 'View your email address')
    const done = await browser.submit(readForm(confirm.body, 'form[action="/identity/o/device"]'), {
      action: 'confirm',
    })
    assert.include(done.body, 'Device Authorized')

    const tokens = await polling
    assert.equal(tokens.claims()!.sub, String(person.user.id))
    assert.isString(tokens.refresh_token)
    assert.equal((await row(device.user_code)).status, 'consumed')
  })

  test('the device code response has the keys in order, no-store, and a pending row behind it', async ({
    assert,
  }) => {
    const rp = await deviceClient({ defaultScopes: ['openid'] })
    /* a charset parameter on the Content-Type is accepted */
    const page = await postForm(
      DEVICE_CODE,
      { client_id: rp.id },
      { 'content-type': 'application/x-www-form-urlencoded; charset=UTF-8' }
    )
    assert.equal(page.status, 200, page.body)
    assert.equal(page.headers.get('cache-control'), 'no-store')
    assert.equal(page.headers.get('pragma'), 'no-cache')
    assert.match(page.headers.get('content-type')!, /^application\/json; charset=utf-8$/i)
    const body = JSON.parse(page.body)
    assert.deepEqual(Object.keys(body), [
      'verification_uri',
      'expires_in',
      'user_code',
      'device_code',
      'interval',
      'verification_uri_complete',
    ])
    assert.equal(body.verification_uri, `${ISSUER}${DEVICE_PAGE}`)
    assert.equal(body.expires_in, oidcConfig.deviceCodeExpiresIn)
    assert.equal(body.interval, 1)
    assert.match(body.device_code, /^[A-Za-z0-9_-]{43}$/)
    assert.equal(body.verification_uri_complete, `${ISSUER}${DEVICE_PAGE}?code=${body.user_code}`)

    const stored = await row(body.user_code)
    assert.equal(stored.clientId, rp.id)
    assert.equal(stored.status, 'pending')
    assert.deepEqual(stored.scopes, ['openid'], 'absent scope: the default scopes, fixed now')
    assert.equal(stored.interval, 1)
    assert.isNull(stored.userId)
    assert.isNull(stored.lastPolledAt)
    assert.equal(
      stored.deviceCodeHash,
      createHash('sha256').update(body.device_code).digest('hex'),
      'only the hash is stored'
    )
    const lifetime = stored.expiresAt.diff(DateTime.utc(), 'seconds').seconds
    assert.isTrue(
      lifetime > oidcConfig.deviceCodeExpiresIn - 10 && lifetime <= oidcConfig.deviceCodeExpiresIn,
      `expires in ${lifetime}`
    )
  })

  test('a confidential client authenticates at both endpoints and gets its tokens', async ({
    assert,
  }) => {
    const person = await createUser()
    const rp = await createClient({ grantTypes: [DEVICE_GRANT, 'refresh_token'] })

    const attempts: Record<string, string>[] = [{ authorization: basic(rp.id, 'wrong-secret') }, {}]
    for (const headers of attempts) {
      const refused = await postForm(DEVICE_CODE, { client_id: rp.id, scope: 'openid' }, headers)
      assert.equal(refused.status, 401, refused.body)
      assert.equal(JSON.parse(refused.body).error, 'invalid_client')
      assert.equal(refused.headers.get('cache-control'), 'no-store')
    }
    const wrongPost = await postForm(DEVICE_CODE, {
      client_id: rp.id,
      client_secret: 'wrong-secret',
    })
    assert.equal(wrongPost.status, 401)
    assert.equal(wrongPost.headers.get('www-authenticate'), 'Bearer error="invalid_client"')
    assert.equal(await deviceRowCount(rp.id), 0)

    const posted = await postForm(DEVICE_CODE, {
      client_id: rp.id,
      client_secret: rp.secret!,
      scope: 'openid',
    })
    assert.equal(posted.status, 200, 'client_secret_post works too')

    const config = await discoverAs(rp, 'basic')
    const device = await oidc.initiateDeviceAuthorization(config, { scope: 'openid profile' })
    const unauthenticated = await postForm(TOKEN, {
      grant_type: DEVICE_GRANT,
      device_code: device.device_code,
      client_id: rp.id,
    })
    assert.equal(unauthenticated.status, 401)
    assert.equal(JSON.parse(unauthenticated.body).error, 'invalid_client')
    assert.isNull((await row(device.user_code)).lastPolledAt, 'a refused client does not poll')

    const browser = await signedInBrowser(person)
    assert.include((await decide(browser, device.user_code, 'confirm')).body, 'Device Authorized')
    const tokens = await oidc.pollDeviceAuthorizationGrant(config, device)
    assert.equal(tokens.scope, 'openid profile')
    assert.isString(tokens.refresh_token)
    assert.equal(tokens.claims()!.aud, rp.id)
    assert.equal((await row(device.user_code)).status, 'consumed')
  })

  test('a missing or unknown client_id gets the compat 400 invalid_request', async ({ assert }) => {
    const before = await totalDeviceRows()
    assertJsonError(assert, await postForm(DEVICE_CODE, { scope: 'openid' }), 400, {
      error: 'invalid_request',
      error_description: 'Missing client_id parameter.',
    })
    assertJsonError(assert, await postForm(DEVICE_CODE, { client_id: '' }), 400, {
      error: 'invalid_request',
      error_description: 'Missing client_id parameter.',
    })
    const unknown = `no-such-client-${Date.now()}`
    assertJsonError(assert, await postForm(DEVICE_CODE, { client_id: unknown }), 400, {
      error: 'invalid_request',
      error_description: 'Invalid client_id parameter value.',
    })
    assert.equal(await totalDeviceRows(), before)
  })

  test('a client without the device grant gets unauthorized_client at the device and token endpoints', async ({
    assert,
  }) => {
    const rp = await createClient({ type: 'public', grantTypes: ['authorization_code'] })
    assertJsonError(
      assert,
      await postForm(DEVICE_CODE, { client_id: rp.id, scope: 'openid' }),
      400,
      errorBody('unauthorized_client')
    )
    assert.equal(await deviceRowCount(rp.id), 0)

    /* a client that loses the grant after getting a code cannot redeem it */
    const other = await deviceClient()
    const device = await requestDeviceCode(other, { scope: 'openid' })
    await other.client.merge({ grantTypes: ['authorization_code'] }).save()
    assertJsonError(
      assert,
      await poll(other, device.device_code),
      400,
      errorBody('unauthorized_client')
    )
    const stored = await row(device.user_code)
    assert.equal(stored.status, 'pending')
    assert.isNull(stored.lastPolledAt)
  })

  test('a scope beyond the client gets exactly invalid_scope', async ({ assert }) => {
    const rp = await deviceClient({ scopes: ['openid', 'email'] })
    for (const scope of ['openid profile', 'openid  email', 'bad"scope']) {
      assertJsonError(
        assert,
        await postForm(DEVICE_CODE, { client_id: rp.id, scope }),
        400,
        errorBody('invalid_scope')
      )
    }
    assert.equal(await deviceRowCount(rp.id), 0)
  })

  test('until the person decides the device gets authorization_pending', async ({ assert }) => {
    const rp = await deviceClient()
    const device = await requestDeviceCode(rp, { scope: 'openid' })
    assertJsonError(
      assert,
      await postForm(TOKEN, { grant_type: DEVICE_GRANT, client_id: rp.id }),
      400,
      { error: 'invalid_request', error_description: 'Missing device_code parameter.' }
    )
    assert.isNull((await row(device.user_code)).lastPolledAt)
    assertJsonError(
      assert,
      await poll(rp, device.device_code),
      400,
      errorBody('authorization_pending')
    )
    const stored = await row(device.user_code)
    assert.equal(stored.status, 'pending')
    assert.isNotNull(stored.lastPolledAt, 'every poll is recorded')
  })

  test('a denied code gives access_denied on this poll and every later one', async ({ assert }) => {
    const person = await createUser()
    const rp = await deviceClient()
    const device = await requestDeviceCode(rp, { scope: 'openid' })
    const browser = await signedInBrowser(person)
    const done = await decide(browser, device.user_code, 'deny')
    assert.equal(done.status, 200)
    assert.include(done.body, 'Device Denied')
    const stored = await row(device.user_code)
    assert.equal(stored.status, 'denied')
    assert.equal(stored.userId, person.user.id)
    assert.isNotNull(stored.decidedAt)

    assertJsonError(assert, await poll(rp, device.device_code), 400, errorBody('access_denied'))
    await waitInterval()
    assertJsonError(assert, await poll(rp, device.device_code), 400, errorBody('access_denied'))
    assert.equal((await row(device.user_code)).status, 'denied')
    assert.lengthOf(await OidcToken.query().where('client_id', rp.id), 0)
  })

  test('any action other than confirm denies (compat)', async ({ assert }) => {
    const person = await createUser()
    const rp = await deviceClient()
    const device = await requestDeviceCode(rp, { scope: 'openid' })
    const done = await decide(await signedInBrowser(person), device.user_code, 'maybe')
    assert.include(done.body, 'Device Denied')
    assert.equal((await row(device.user_code)).status, 'denied')
  })

  test('a decided code cannot be decided again', async ({ assert }) => {
    const person = await createUser()
    const rp = await deviceClient()
    const device = await requestDeviceCode(rp, { scope: 'openid' })
    const browser = await signedInBrowser(person)
    const confirm = await browser.get(`${DEVICE_PAGE}?code=${device.user_code}`)
    const form = readForm(confirm.body, `form[action="${DEVICE_PAGE}"]`)
    assert.include((await browser.submit(form, { action: 'deny' })).body, 'Device Denied')
    const again = await browser.submit(form, { action: 'confirm' })
    assert.equal(again.status, 200)
    assert.include(again.body, 'Enter Device Code')
    assert.include(again.body, INCORRECT)
    const stored = await row(device.user_code)
    assert.equal(stored.status, 'denied')
  })

  test('a wrong code on the page gives "Incorrect code." and keeps what was typed', async ({
    assert,
  }) => {
    const person = await createUser()
    const rp = await deviceClient()
    const device = await requestDeviceCode(rp, { scope: 'openid' })
    const browser = await signedInBrowser(person)
    const page = await getFrom(ownAddress(), browser, `${DEVICE_PAGE}?code=BBBB-CCCC`)
    assert.equal(page.status, 200)
    assert.include(page.body, 'Enter Device Code')
    assert.include(page.body, INCORRECT)
    assert.include(page.body, 'value="BBBB-CCCC"')
    assert.equal((await row(device.user_code)).status, 'pending')
  })

  test('an expired code gives expired_token when polled and "Incorrect code." on the page', async ({
    assert,
  }) => {
    const person = await createUser()
    const rp = await deviceClient()
    const device = await requestDeviceCode(rp, { scope: 'openid' })
    const browser = await signedInBrowser(person)
    const confirm = await browser.get(`${DEVICE_PAGE}?code=${device.user_code}`)
    assert.include(confirm.body, 'Confirm Device')
    await db
      .from('oidc_device_codes')
      .where('user_code', device.user_code.replace('-', ''))
      .update({ expires_at: sqlTime(DateTime.utc().minus({ seconds: 1 })) })

    assertJsonError(assert, await poll(rp, device.device_code), 400, errorBody('expired_token'))
    const page = await getFrom(ownAddress(), browser, `${DEVICE_PAGE}?code=${device.user_code}`)
    assert.equal(page.status, 200)
    assert.include(page.body, INCORRECT)
    /* the confirm form opened before expiry is refused too */
    const late = await browser.submit(readForm(confirm.body, `form[action="${DEVICE_PAGE}"]`), {
      action: 'confirm',
    })
    assert.equal(late.status, 200)
    assert.include(late.body, INCORRECT)
    const stored = await row(device.user_code)
    assert.equal(stored.status, 'pending')
    assert.isNull(stored.userId)
    assert.lengthOf(await OidcToken.query().where('client_id', rp.id), 0)
  })

  test('polling faster than the interval gives slow_down and adds 5 s to the interval of that code', async ({
    assert,
  }) => {
    const rp = await deviceClient()
    const device = await requestDeviceCode(rp, { scope: 'openid' })
    const other = await requestDeviceCode(rp, { scope: 'openid' })
    /*
     * last_polled_at is stored to the second (truncated), so a quick second poll
     * is seen as too soon only within the same second: start early in one.
     */
    if (Date.now() % 1000 > 600) await sleep(1010 - (Date.now() % 1000))
    assertJsonError(
      assert,
      await poll(rp, device.device_code),
      400,
      errorBody('authorization_pending')
    )
    assertJsonError(assert, await poll(rp, device.device_code), 400, errorBody('slow_down'))
    assert.equal((await row(device.user_code)).interval, 6)
    assertJsonError(assert, await poll(rp, device.device_code), 400, errorBody('slow_down'))
    assert.equal((await row(device.user_code)).interval, 11)
    assert.equal((await row(other.user_code)).interval, 1, 'other codes keep theirs')
  })

  test('a redeemed code gives invalid_grant afterwards', async ({ assert }) => {
    const person = await createUser()
    const rp = await deviceClient()
    const device = await requestDeviceCode(rp, { scope: 'openid' })
    await decide(await signedInBrowser(person), device.user_code, 'confirm')
    const first = await poll(rp, device.device_code)
    assert.equal(first.status, 200, first.body)
    assert.equal(first.headers.get('cache-control'), 'no-store')
    assert.notProperty(JSON.parse(first.body), 'refresh_token', 'no refresh_token grant, no RT')
    await waitInterval()
    assertJsonError(assert, await poll(rp, device.device_code), 400, errorBody('invalid_grant'))
    assert.equal((await row(device.user_code)).status, 'consumed')
    assert.lengthOf(
      await OidcToken.query().where('client_id', rp.id),
      1,
      'one access token, from the first redemption'
    )
  })

  test('of two concurrent redemptions exactly one gets the tokens', async ({ assert }) => {
    const person = await createUser()
    const rp = await deviceClient()
    const device = await requestDeviceCode(rp, { scope: 'openid' })
    await decide(await signedInBrowser(person), device.user_code, 'confirm')
    const pages = await Promise.all([
      poll(rp, device.device_code),
      poll(rp, device.device_code),
      poll(rp, device.device_code),
    ])
    const winners = pages.filter((page) => page.status === 200)
    assert.lengthOf(winners, 1, pages.map((page) => page.body).join('\n'))
    for (const page of pages.filter((candidate) => candidate.status !== 200)) {
      assert.equal(page.status, 400)
      assert.oneOf(JSON.parse(page.body).error, ['invalid_grant', 'slow_down'])
    }
    assert.lengthOf(await OidcToken.query().where('client_id', rp.id), 1)
    assert.equal((await row(device.user_code)).status, 'consumed')
  })

  test('of two concurrent decisions on one code only the first counts', async ({ assert }) => {
    const approver = await createUser()
    const denier = await createUser()
    const rp = await deviceClient()
    const device = await requestDeviceCode(rp, { scope: 'openid' })
    const forms = await Promise.all(
      [approver, denier].map(async (person) => {
        const browser = await signedInBrowser(person)
        const confirm = await browser.get(`${DEVICE_PAGE}?code=${device.user_code}`)
        return { browser, form: readForm(confirm.body, `form[action="${DEVICE_PAGE}"]`) }
      })
    )
    const [approved, denied] = await Promise.all([
      forms[0].browser.submit(forms[0].form, { action: 'confirm' }),
      forms[1].browser.submit(forms[1].form, { action: 'deny' }),
    ])
    const outcomes = [
      approved.body.includes('Device Authorized'),
      denied.body.includes('Device Denied'),
    ]
    assert.equal(outcomes.filter(Boolean).length, 1, 'exactly one decision is taken')
    const loser = outcomes[0] ? denied : approved
    assert.include(loser.body, INCORRECT)
    const stored = await row(device.user_code)
    assert.equal(stored.status, outcomes[0] ? 'approved' : 'denied')
    assert.equal(stored.userId, outcomes[0] ? approver.user.id : denier.user.id)
  })

  test('a device code of another client gives invalid_grant and leaves the code alone', async ({
    assert,
  }) => {
    const person = await createUser()
    const owner = await deviceClient()
    const thief = await deviceClient()
    const device = await requestDeviceCode(owner, { scope: 'openid' })
    await decide(await signedInBrowser(person), device.user_code, 'confirm')
    assertJsonError(assert, await poll(thief, device.device_code), 400, errorBody('invalid_grant'))
    assertJsonError(assert, await poll(thief, 'not-a-device-code'), 400, errorBody('invalid_grant'))
    const stored = await row(device.user_code)
    assert.equal(stored.status, 'approved')
    assert.isNull(stored.lastPolledAt)
    assert.lengthOf(await OidcToken.query().where('client_id', thief.id), 0)
    assert.equal((await poll(owner, device.device_code)).status, 200, 'the owner still redeems it')
  })

  test('a scope sent with the poll is ignored: the tokens carry the scopes of the device request', async ({
    assert,
  }) => {
    const person = await createUser()
    const rp = await deviceClient()
    const device = await requestDeviceCode(rp, { scope: 'openid' })
    await decide(await signedInBrowser(person), device.user_code, 'confirm')
    const page = await poll(rp, device.device_code, { scope: 'openid email profile' })
    assert.equal(page.status, 200, page.body)
    const body = JSON.parse(page.body)
    assert.equal(body.scope, 'openid')
    const { payload } = await jwtVerify(body.id_token, JWKS, { issuer: ISSUER, audience: rp.id })
    assert.notProperty(payload, 'email')
    const stored = await OidcToken.query().where('client_id', rp.id).firstOrFail()
    assert.deepEqual(stored.scopes, ['openid'])
  })

  test('the ID token has no nonce or sid, and auth_time is when the approver signed in', async ({
    assert,
  }) => {
    const person = await createUser()
    const rp = await deviceClient({ grantTypes: [DEVICE_GRANT, 'refresh_token'] })
    const device = await requestDeviceCode(rp, { scope: 'openid email' })
    const before = Math.floor(Date.now() / 1000)
    const browser = await signedInBrowser(person)
    const after = Math.floor(Date.now() / 1000)
    /* a later approval, so that the sign-in time and the approval time differ */
    await sleep(1100)
    await decide(browser, device.user_code, 'confirm')

    const page = await poll(rp, device.device_code)
    assert.equal(page.status, 200, page.body)
    const body = JSON.parse(page.body)
    assert.deepEqual(Object.keys(body), [
      'access_token',
      'expires_in',
      'token_type',
      'scope',
      'refresh_token',
      'id_token',
    ])
    const { payload } = await jwtVerify(body.id_token, JWKS, {
      issuer: ISSUER,
      audience: rp.id,
      typ: 'JWT',
    })
    assert.equal(payload.sub, String(person.user.id))
    assert.equal(payload.azp, rp.id)
    assert.equal(payload.email, person.email)
    assert.notProperty(payload, 'nonce')
    assert.notProperty(payload, 'sid')
    assert.equal(payload.at_hash, halfHash(body.access_token))

    const stored = await row(device.user_code)
    assert.isAtLeast(payload.auth_time as number, before)
    assert.isAtMost(payload.auth_time as number, after)
    assert.equal(payload.auth_time, stored.authTime)
    assert.isBelow(
      payload.auth_time as number,
      stored.decidedAt!.toSeconds(),
      'the sign-in time, not the approval time'
    )
    assert.equal(
      await db
        .from('oidc_session_clients')
        .where('client_id', rp.id)
        .count('* as total')
        .first()
        .then((r) => Number(r.total)),
      0,
      'no sid, so no back-channel registration'
    )
  })

  test('a user deactivated after approving makes the redemption access_denied (compat)', async ({
    assert,
  }) => {
    const person = await createUser()
    const rp = await deviceClient()
    const device = await requestDeviceCode(rp, { scope: 'openid' })
    await decide(await signedInBrowser(person), device.user_code, 'confirm')
    await person.user.merge({ isActive: false }).save()
    assertJsonError(assert, await poll(rp, device.device_code), 400, errorBody('access_denied'))
    assert.equal((await row(device.user_code)).status, 'consumed')
    assert.lengthOf(await OidcToken.query().where('client_id', rp.id), 0)
  })

  test('the code is entered ignoring case, spaces and dashes', async ({ assert }) => {
    const person = await createUser()
    const rp = await deviceClient({ name: 'Living Room TV' })
    const device = await requestDeviceCode(rp, { scope: 'openid' })
    const code = device.user_code.replace('-', '')
    const browser = await signedInBrowser(person)
    for (const typed of [
      code.toLowerCase(),
      ` ${code.slice(0, 2)} ${code.slice(2, 6).toLowerCase()}  ${code.slice(6)} `,
      `${code.slice(0, 4)}--${code.slice(4)}`,
      `-${code.split('').join('-')}-`,
    ]) {
      const page = await getFrom(
        ownAddress(),
        browser,
        `${DEVICE_PAGE}?code=${encodeURIComponent(typed)}`
      )
      assert.equal(page.status, 200, typed)
      assert.include(page.body, 'Confirm Device', typed)
      assert.include(page.body, 'Living Room TV', typed)
      assert.include(page.body, device.user_code, typed)
    }
    const done = await browser.submit(
      readForm(
        (await browser.get(`${DEVICE_PAGE}?code=${code.toLowerCase()}`)).body,
        `form[action="${DEVICE_PAGE}"]`
      ),
      { action: 'confirm', code: ` ${code.toLowerCase()} ` }
    )
    assert.include(done.body, 'Device Authorized')
    assert.equal((await row(device.user_code)).status, 'approved')
  })

  test('verification_uri_complete opens the confirm page directly, with the client, the code and the scope labels', async ({
    assert,
  }) => {
    const person = await createUser()
    const rp = await deviceClient({ name: 'Kitchen <Radio>' })
    const device = await requestDeviceCode(rp, { scope: 'openid email profile' })
    const browser = await signedInBrowser(person)
    const page = await browser.get(device.verification_uri_complete)
    assert.equal(page.status, 200)
    assert.include(page.body, 'Confirm Device')
    assert.include(page.body, 'Kitchen &lt;Radio&gt;')
    assert.include(page.body, device.user_code)
    for (const label of [
      'View your user ID',
      'View your email address',
      'View your basic profile information',
    ])
      assert.include(page.body, label)
    assert.equal(page.headers.get('cache-control'), 'no-store')
    assert.equal(page.headers.get('x-frame-options'), 'DENY')
    const form = readForm(page.body, `form[action="${DEVICE_PAGE}"]`)
    assert.equal(form.method, 'post')
    assert.deepEqual(
      form.fields.map(([name]) => name),
      ['_csrf', 'code']
    )
    assert.include(page.body, 'name="action" value="confirm"')
    assert.include(page.body, 'name="action" value="deny"')
  })

  test('the device page sends anonymous visitors to the login page, keeping ?code=', async ({
    assert,
  }) => {
    const person = await createUser()
    const rp = await deviceClient()
    const device = await requestDeviceCode(rp, { scope: 'openid' })
    const browser = new Browser()

    const entry = await browser.get(DEVICE_PAGE)
    assert.equal(entry.status, 302)
    assert.equal(
      entry.location,
      `${BASE_URL}/accounts/login/?next=${encodeURIComponent(DEVICE_PAGE)}`
    )

    const withCode = await browser.get(`${DEVICE_PAGE}?code=${device.user_code}`)
    assert.equal(withCode.status, 302)
    assert.equal(
      withCode.location,
      `${BASE_URL}/accounts/login/?next=${encodeURIComponent(`${DEVICE_PAGE}?code=${device.user_code}`)}`
    )

    const posted = await browser.post(DEVICE_PAGE, { code: device.user_code, action: 'confirm' })
    assert.equal(posted.status, 303)
    assert.equal(new URL(posted.location!).pathname, '/accounts/login/')
    assert.equal((await row(device.user_code)).status, 'pending')

    /* signing in goes back to the code */
    const login = await browser.get(withCode.location!)
    const back = await browser.submit(readForm(login.body, 'form[action="/accounts/login/"]'), {
      login: person.email,
      password: person.password,
    })
    assert.equal(back.status, 303)
    const confirm = await browser.follow(back)
    assert.include(confirm.body, 'Confirm Device')
  })

  test('the confirm POST without a valid CSRF token gets 403 and leaves the code pending', async ({
    assert,
  }) => {
    const person = await createUser()
    const rp = await deviceClient()
    const device = await requestDeviceCode(rp, { scope: 'openid' })
    const browser = await signedInBrowser(person)
    const form = readForm(
      (await browser.get(`${DEVICE_PAGE}?code=${device.user_code}`)).body,
      `form[action="${DEVICE_PAGE}"]`
    )
    for (const csrf of [null, 'forged-token']) {
      const page = await browser.submit(form, { action: 'confirm', _csrf: csrf })
      assert.equal(page.status, 403, String(csrf))
      assert.notInclude(page.body, 'Device Authorized')
    }
    const stored = await row(device.user_code)
    assert.equal(stored.status, 'pending')
    assert.isNull(stored.userId)
    assertJsonError(
      assert,
      await poll(rp, device.device_code),
      400,
      errorBody('authorization_pending')
    )
  })

  test('only failed lookups count, and the one after the limit gets 429 with Retry-After', async ({
    assert,
  }) => {
    const [rule] = oidcConfig.rateLimits.device_user_code!
    const person = await createUser()
    const rp = await deviceClient()
    const device = await requestDeviceCode(rp, { scope: 'openid' })
    const browser = await signedInBrowser(person)
    const address = ownAddress()
    const lookUp = (code: string) =>
      getFrom(address, browser, `${DEVICE_PAGE}?code=${encodeURIComponent(code)}`)

    for (let i = 1; i <= rule.amount + 1; i++)
      assert.include((await lookUp(device.user_code)).body, 'Confirm Device', `right code ${i}`)
    for (let i = 1; i <= rule.amount; i++) {
      const page = await lookUp(`BBBB-CCC${'DFGHJ'[i % 5]}`)
      assert.equal(page.status, 200, `wrong code ${i}`)
      assert.include(page.body, INCORRECT)
    }
    const blocked = await lookUp('BBBB-CCCC')
    assert.equal(blocked.status, 429)
    assert.include(blocked.body, TOO_MANY)
    const retryAfter = Number(blocked.retryAfter)
    assert.isTrue(
      Number.isInteger(retryAfter) && retryAfter > 0 && retryAfter <= rule.durationSeconds,
      `Retry-After ${blocked.retryAfter}`
    )

    const rightButBlocked = await lookUp(device.user_code)
    assert.equal(rightButBlocked.status, 429, 'a right code does not get through either')
    assert.notInclude(rightButBlocked.body, 'Confirm Device')
    assert.include(
      (await getFrom(ownAddress(), browser, `${DEVICE_PAGE}?code=${device.user_code}`)).body,
      'Confirm Device',
      'another address is not limited'
    )
    assert.equal((await row(device.user_code)).status, 'pending')
  })
})
