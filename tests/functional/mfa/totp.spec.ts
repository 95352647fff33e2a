import { test } from '@japa/runner'
import { Browser, isSignedIn, readForm } from '#tests/helpers/browser'
import { createUser } from '#tests/helpers/factories'
import { pageText, useAccountSettings } from '#tests/helpers/accounts'
import {
  AUTHENTICATE,
  awayFromStepEdge,
  giveTotp,
  signInWithCode,
  submitCode,
  totpCode,
} from '#tests/helpers/mfa'
import MfaAuthenticator from '#models/mfa_authenticator'
import AuditEvent from '#models/audit_event'

const ACTIVATE = '/accounts/2fa/totp/activate/'
const DEACTIVATE = '/accounts/2fa/totp/deactivate/'

/** A new user signed in with a password in a fresh browser */
async function signedIn() {
  const account = await createUser()
  const browser = new Browser()
  await browser.signIn(account.email, account.password)
  return { ...account, browser }
}

/** The secret the activation page shows in its disabled input */
function shownSecret(html: string) {
  const input = /<input[^>]*id="authenticator_secret"[^>]*>/.exec(html)?.[0] ?? ''
  if (!/\sdisabled\b/.test(input)) throw new Error(`no disabled secret input:\n${input}`)
  return /value="([A-Z2-7]+)"/.exec(input)![1]
}

test.group('TOTP activation', () => {
  test('the page shows a QR code and the secret; the right code activates TOTP', async ({
    assert,
  }) => {
    const { user, browser } = await signedIn()
    const page = await browser.get(ACTIVATE)
    assert.equal(page.status, 200)
    assert.match(page.body, /<img src="data:image\/svg\+xml;base64,[A-Za-z0-9+/=]+"/)
    const secret = shownSecret(page.body)
    assert.lengthOf(secret, 32)
    assert.equal(shownSecret((await browser.get(ACTIVATE)).body), secret, 'the same until used')

    const wrong = await browser.submit(readForm(page.body, `form[action="${ACTIVATE}"]`), {
      code: totpCode(secret, 5),
    })
    assert.equal(wrong.status, 200)
    assert.include(pageText(wrong.body), 'Incorrect code.')
    assert.isNull(await MfaAuthenticator.findBy('user_id', user.id))

    await awayFromStepEdge()
    const done = await browser.submit(readForm(page.body, `form[action="${ACTIVATE}"]`), {
      code: totpCode(secret),
    })
    assert.equal(done.status, 303)
    assert.equal(new URL(done.location!).pathname, '/accounts/2fa/recovery-codes/')
    const rows = await MfaAuthenticator.query().where('user_id', user.id).orderBy('type')
    assert.deepEqual(
      rows.map((row) => row.type),
      ['recovery_codes', 'totp']
    )
    const totp = rows.find((row) => row.type === 'totp')!
    assert.notInclude(totp.data, secret, 'the secret is stored encrypted')
    assert.isString(JSON.parse(totp.data).secret)

    const overview = await browser.get('/accounts/2fa/')
    assert.include(overview.body, 'href="/accounts/2fa/totp/deactivate/"')
    assert.include(pageText(overview.body), 'There are 10 out of 10 recovery codes available.')
  })

  test('the code typed at activation cannot sign in afterwards', async ({ assert }) => {
    const { user, email, password, browser } = await signedIn()
    const page = await browser.get(ACTIVATE)
    const secret = shownSecret(page.body)
    await awayFromStepEdge()
    const code = totpCode(secret)
    await browser.submit(readForm(page.body, `form[action="${ACTIVATE}"]`), { code })
    assert.isNotNull(await MfaAuthenticator.query().where('user_id', user.id).first())
    const other = new Browser()
    const answer = await signInWithCode(other, email, password, code)
    assert.equal(answer.status, 200)
    assert.include(pageText(answer.body), 'Incorrect code.')
    assert.isFalse(await isSignedIn(other))
  })

  test('activation and deactivation ask for a recent authentication', async ({
    assert,
    cleanup,
  }) => {
    const { user, browser } = await signedIn()
    await giveTotp(user.id)
    useAccountSettings(cleanup, { reauthenticationTimeout: -1 })
    for (const path of [ACTIVATE, DEACTIVATE]) {
      const page = await browser.get(path)
      assert.equal(page.status, 302, path)
      assert.equal(
        page.location,
        `${new URL(page.url).origin}/accounts/reauthenticate/?next=${encodeURIComponent(path)}`
      )
    }
    const posted = await browser.post(DEACTIVATE, {})
    assert.notEqual(posted.status, 200)
    assert.equal(
      await MfaAuthenticator.query()
        .where('user_id', user.id)
        .where('type', 'totp')
        .then((rows) => rows.length),
      1
    )
  })
})

test.group('TOTP at sign-in', () => {
  test('a code works once: the same code again is refused', async ({ assert }) => {
    const { user, email, password } = await createUser()
    const { secret } = await giveTotp(user.id)
    await awayFromStepEdge()
    const code = totpCode(secret)
    const first = await signInWithCode(new Browser(), email, password, code)
    assert.equal(first.status, 303)
    const replay = new Browser()
    const second = await signInWithCode(replay, email, password, code)
    assert.equal(second.status, 200)
    assert.include(pageText(second.body), 'Incorrect code.')
    assert.isFalse(await isSignedIn(replay))
  })

  test('two sign-ins presenting one code at once: one gets in', async ({ assert }) => {
    const { user, email, password } = await createUser()
    const { secret } = await giveTotp(user.id)
    const browsers = [new Browser(), new Browser(), new Browser()]
    for (const browser of browsers) await browser.signIn(email, password)
    const forms = await Promise.all(browsers.map((browser) => browser.get(AUTHENTICATE)))
    await awayFromStepEdge()
    const code = totpCode(secret)
    const answers = await Promise.all(
      browsers.map((browser, index) =>
        browser.submit(readForm(forms[index].body, 'form[id="code_form"]'), { code })
      )
    )
    assert.deepEqual(answers.map((answer) => answer.status).sort(), [200, 200, 303])
  })

  test('a clock one step behind or ahead is accepted, two steps are not', async ({ assert }) => {
    await awayFromStepEdge()
    for (const [steps, accepted] of [
      [-1, true],
      [1, true],
      [-2, false],
      [2, false],
    ] as const) {
      const { user, email, password } = await createUser()
      const { secret } = await giveTotp(user.id)
      const answer = await signInWithCode(new Browser(), email, password, totpCode(secret, steps))
      assert.equal(answer.status, accepted ? 303 : 200, `${steps} steps`)
    }
  })

  test('after deactivation the password alone signs in', async ({ assert }) => {
    const { user, email, password } = await createUser()
    const { secret } = await giveTotp(user.id)
    const browser = new Browser()
    await awayFromStepEdge()
    await signInWithCode(browser, email, password, totpCode(secret))
    const page = await browser.get(DEACTIVATE)
    const done = await browser.submit(readForm(page.body, `form[action="${DEACTIVATE}"]`))
    assert.equal(done.status, 303)
    assert.equal(new URL(done.location!).pathname, '/accounts/2fa/')
    assert.equal(
      await MfaAuthenticator.query()
        .where('user_id', user.id)
        .then((rows) => rows.length),
      0,
      'recovery codes go too'
    )
    const again = await new Browser().signIn(email, password, '/accounts/grants/')
    assert.equal(new URL(again.location!).pathname, '/accounts/grants/')
  })
})

test.group('Second-factor lockout', () => {
  test('wrong codes count as failed logins; past the limit even the right code is refused', async ({
    assert,
  }) => {
    const { user, email, password } = await createUser()
    const { secret } = await giveTotp(user.id)
    const browser = new Browser()
    await browser.signIn(email, password)
    let answer = await submitCode(browser, '000000')
    for (let tries = 1; answer.status === 200 && tries < 20; tries++)
      answer = await submitCode(browser, tries % 2 ? '999999' : '000000')
    assert.equal(answer.status, 429)
    const failures = await AuditEvent.query()
      .where('type', 'sign_in.failed')
      .where('user_id', user.id)
      .orderBy('id')
    assert.deepEqual(failures.at(0)?.data, { method: 'second_factor', reason: 'incorrect' })
    assert.deepEqual(failures.at(-1)?.data, { method: 'second_factor', reason: 'rate_limited' })
    assert.include(pageText(answer.body), 'Too many failed login attempts. Try again later.')
    assert.match(answer.headers.get('retry-after') ?? '', /^\d+$/)
    await awayFromStepEdge()
    const right = await submitCode(browser, totpCode(secret))
    assert.equal(right.status, 429)
    assert.isFalse(await isSignedIn(browser))
    /* the count is the account's: its password is locked out too */
    const byPassword = await new Browser().signIn(email, password)
    assert.equal(byPassword.status, 429)
  })
})
