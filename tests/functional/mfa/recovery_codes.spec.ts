import { test } from '@japa/runner'
import { Browser, isSignedIn, readForm } from '#tests/helpers/browser'
import { createUser } from '#tests/helpers/factories'
import { pageText, useAccountSettings } from '#tests/helpers/accounts'
import { awayFromStepEdge, giveTotp, signInWithCode, totpCode } from '#tests/helpers/mfa'

const CODES = '/accounts/2fa/recovery-codes/'
const DOWNLOAD = '/accounts/2fa/recovery-codes/download/'
const GENERATE = '/accounts/2fa/recovery-codes/generate/'

/** A user with TOTP and recovery codes, signed in with a TOTP code */
async function signedInWithTotp() {
  const account = await createUser()
  const { secret, recoveryCodes } = await giveTotp(account.user.id)
  const browser = new Browser()
  await awayFromStepEdge()
  await signInWithCode(browser, account.email, account.password, totpCode(secret))
  return { ...account, secret, recoveryCodes, browser }
}

const listedCodes = (html: string) =>
  [...html.matchAll(/<li><code>(\d+)<\/code><\/li>/g)].map((m) => m[1])

test.group('Recovery codes', () => {
  test('the page lists the unused codes; the download has them one per line', async ({
    assert,
  }) => {
    const { browser, recoveryCodes } = await signedInWithTotp()
    assert.lengthOf(recoveryCodes, 10)
    for (const code of recoveryCodes) assert.match(code, /^\d{8}$/)
    const page = await browser.get(CODES)
    assert.include(pageText(page.body), 'There are 10 out of 10 recovery codes available.')
    assert.deepEqual(listedCodes(page.body), recoveryCodes)
    const file = await browser.get(DOWNLOAD)
    assert.equal(file.status, 200)
    assert.match(file.headers.get('content-type') ?? '', /^text\/plain/)
    assert.equal(file.body, recoveryCodes.map((code) => `${code}\n`).join(''))
  })

  test('a recovery code signs in once, then leaves the list', async ({ assert }) => {
    const { user, email, password } = await createUser()
    const { recoveryCodes } = await giveTotp(user.id)
    const browser = new Browser()
    const answer = await signInWithCode(
      browser,
      email,
      password,
      recoveryCodes[3],
      '/accounts/2fa/'
    )
    assert.equal(answer.status, 303)
    assert.isTrue(await isSignedIn(browser))
    const page = await browser.get(CODES)
    assert.include(pageText(page.body), 'There are 9 out of 10 recovery codes available.')
    assert.notInclude(listedCodes(page.body), recoveryCodes[3])

    const again = new Browser()
    const replay = await signInWithCode(again, email, password, recoveryCodes[3])
    assert.equal(replay.status, 200)
    assert.include(pageText(replay.body), 'Incorrect code.')
    assert.isFalse(await isSignedIn(again))
  })

  test('the page warns when few codes are left', async ({ assert }) => {
    const { user, email, password } = await createUser()
    const { recoveryCodes } = await giveTotp(user.id)
    let browser = new Browser()
    for (const code of recoveryCodes.slice(0, 8)) {
      browser = new Browser()
      assert.equal((await signInWithCode(browser, email, password, code)).status, 303)
    }
    const page = await browser.get(CODES)
    assert.include(pageText(page.body), 'There are 2 out of 10 recovery codes available.')
    assert.include(pageText(page.body), 'You are running low on recovery codes')
    assert.include(pageText((await browser.get('/accounts/2fa/')).body), 'running low')
  })

  test('a new set replaces the old: old codes stop working', async ({ assert }) => {
    const { browser, email, password, recoveryCodes } = await signedInWithTotp()
    const form = await browser.get(GENERATE)
    assert.equal(form.status, 200)
    const done = await browser.submit(readForm(form.body, `form[action="${GENERATE}"]`))
    assert.equal(done.status, 303)
    assert.equal(new URL(done.location!).pathname, CODES)
    const fresh = listedCodes((await browser.get(CODES)).body)
    assert.lengthOf(fresh, 10)
    assert.notDeepEqual(fresh, recoveryCodes)
    const old = await signInWithCode(new Browser(), email, password, recoveryCodes[0])
    assert.equal(old.status, 200)
    const renewed = await signInWithCode(new Browser(), email, password, fresh[0])
    assert.equal(renewed.status, 303)
  })

  test('generating asks for a recent authentication', async ({ assert, cleanup }) => {
    const { browser } = await signedInWithTotp()
    const before = listedCodes((await browser.get(CODES)).body)
    useAccountSettings(cleanup, { reauthenticationTimeout: -1 })
    const page = await browser.get(GENERATE)
    assert.equal(page.status, 302)
    assert.equal(new URL(page.location!).pathname, '/accounts/reauthenticate/')
    await browser.post(GENERATE, {})
    assert.deepEqual(listedCodes((await browser.get(CODES)).body), before)
  })

  test('a user without codes gets 404; anonymous visitors go to the login page', async ({
    assert,
  }) => {
    const { email, password } = await createUser()
    const browser = new Browser()
    await browser.signIn(email, password)
    assert.equal((await browser.get(CODES)).status, 404)
    assert.equal((await browser.get(DOWNLOAD)).status, 404)
    const anonymous = await new Browser().get(CODES)
    assert.equal(anonymous.status, 302)
    assert.equal(new URL(anonymous.location!).pathname, '/accounts/login/')
  })
})
