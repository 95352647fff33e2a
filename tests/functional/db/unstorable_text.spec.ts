/**
 * Text that not every database can hold: U+0000, which PostgreSQL refuses in
 * any query, and values longer than a column, such as a login as a rate-limit
 * key. Such input gets the answer the same input without the problem gets,
 * on every database, never a 500 (database/storable_text.ts).
 */
import { test } from '@japa/runner'
import { DateTime } from 'luxon'
import OidcConsent from '#models/oidc_consent'
import { Browser, readForm, type Page } from '#tests/helpers/browser'
import { createClient, createUser } from '#tests/helpers/factories'
import { startApp } from '#tests/helpers/app_process'
import { authorizeUrl, basic, delivered, pkcePair, signedIn } from '#tests/helpers/oauth_checks'
import {
  DEVICE_CODE,
  DEVICE_GRANT,
  DEVICE_PAGE,
  LOGOUT,
  REDIRECT,
  TOKEN,
} from '#tests/helpers/endpoints'
import { randomValue } from '#services/oidc/protocol/random'

const NUL = '\u0000'
const LOGIN = '/accounts/login/'
const GRANTS = '/accounts/grants/'
const BAD_CREDENTIALS = 'The login and/or password you specified are not correct.'

/** What a client or a person sees of an answer */
function seen(page: Page) {
  const error = /^\{/.test(page.body)
    ? JSON.parse(page.body).error
    : /<code>([^<]*)<\/code>/.exec(page.body)?.[1]
  return { status: page.status, error, location: page.location }
}

function unknownId() {
  return `no-such-client-${randomValue(6)}`
}

async function postLogin(browser: Browser, login: string) {
  const page = await browser.get(LOGIN)
  return browser.submit(readForm(page.body, `form[action="${LOGIN}"]`), {
    login,
    password: 'not-the-password',
  })
}

test.group('Text a database cannot hold', () => {
  test('a client id holding U+0000 is an unknown client at every endpoint', async ({ assert }) => {
    const answers = async (clientId: string) => {
      const browser = new Browser()
      const secret = { client_id: clientId, client_secret: 'x' }
      return {
        tokenPost: seen(await browser.post(TOKEN, { grant_type: 'client_credentials', ...secret })),
        tokenBasic: seen(
          await browser.post(
            TOKEN,
            { grant_type: 'client_credentials' },
            { authorization: basic(clientId, 'x') }
          )
        ),
        deviceCode: seen(await browser.post(DEVICE_CODE, { client_id: clientId })),
        authorize: seen(
          await browser.get(
            authorizeUrl({
              client_id: clientId,
              redirect_uri: REDIRECT,
              response_type: 'code',
              scope: 'openid',
            })
          )
        ),
        logout: seen(await browser.get(`${LOGOUT}?client_id=${encodeURIComponent(clientId)}`)),
      }
    }
    const expected = await answers(unknownId())
    assert.equal(expected.tokenPost.status, 401)
    assert.deepEqual(await answers(`${unknownId()}${NUL}`), expected)
  })

  test('a typed user code holding U+0000 is an incorrect code', async ({ assert }) => {
    const { email, password } = await createUser()
    const rp = await createClient({
      type: 'public',
      grantTypes: [DEVICE_GRANT],
    })
    const device = JSON.parse(
      (await new Browser().post(DEVICE_CODE, { client_id: rp.id, scope: 'openid' })).body
    )
    const browser = new Browser()
    await browser.signIn(email, password)
    const confirm = await browser.get(`${DEVICE_PAGE}?code=${device.user_code}`)
    const page = await browser.submit(readForm(confirm.body, `form[action="${DEVICE_PAGE}"]`), {
      code: `${device.user_code}${NUL}`,
      action: 'confirm',
    })
    assert.equal(page.status, 200)
    assert.include(page.body, 'Incorrect code.')
  })

  test('revoking the grant of a client id holding U+0000 changes nothing', async ({ assert }) => {
    const { user, email, password } = await createUser()
    const rp = await createClient()
    await OidcConsent.create({
      userId: user.id,
      clientId: rp.id,
      scopes: ['openid'],
      email: null,
      expiresAt: DateTime.utc().plus({ days: 1 }),
    })
    const browser = new Browser()
    await browser.signIn(email, password)
    const grants = await browser.get(GRANTS)
    const page = await browser.submit(readForm(grants.body, `form[action="${GRANTS}"]`), {
      action: 'revoke',
      client_id: `${rp.id}${NUL}`,
    })
    assert.equal(page.status, 303)
    assert.isNotNull(await OidcConsent.findBy({ userId: user.id, clientId: rp.id }))
  })

  test('a nonce holding U+0000 is refused with invalid_request', async ({ assert }) => {
    const rp = await createClient()
    const { browser } = await signedIn()
    const page = await browser.get(
      authorizeUrl({
        client_id: rp.id,
        redirect_uri: REDIRECT,
        response_type: 'code',
        scope: 'openid',
        state: 's',
        nonce: `n${NUL}`,
        code_challenge: pkcePair().challenge,
        code_challenge_method: 'S256',
      })
    )
    const { target, params } = delivered(page)
    assert.equal(target, REDIRECT)
    assert.equal(params.get('error'), 'invalid_request')
    assert.equal(params.get('error_description'), 'Invalid nonce parameter.')
  })

  /*
   * In a process of its own: its failed logins count against no limit of
   * the test server, whose per-IP budget the whole run shares
   */
  test('long and U+0000 logins are wrong logins, client ids unknown clients, counted in the database limiter store', async ({
    assert,
    cleanup,
  }) => {
    const app = await startApp({ LIMITER_STORE: 'database' })
    cleanup(() => app.stop())
    const long = `${'x'.repeat(300)}@example.com`
    for (const login of [long, `a${NUL}b`]) {
      const page = await postLogin(new Browser(app.url), login)
      assert.equal(page.status, 200)
      assert.include(page.body, BAD_CREDENTIALS)
      const token = await new Browser(app.url).post(TOKEN, {
        grant_type: 'client_credentials',
        client_id: login,
        client_secret: 'x',
      })
      assert.equal(token.status, 401)
    }
    /* login_failed allows 5 per 5 minutes per login (.env.test): the long login has one, four more, then 429 */
    for (let attempt = 2; attempt <= 5; attempt++)
      assert.equal((await postLogin(new Browser(app.url), long)).status, 200)
    assert.equal((await postLogin(new Browser(app.url), long)).status, 429)
  }).timeout(60_000)
})
