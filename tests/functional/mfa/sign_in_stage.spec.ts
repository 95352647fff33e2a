import { test } from '@japa/runner'
import { Browser, isSignedIn, readForm } from '#tests/helpers/browser'
import { createUser } from '#tests/helpers/factories'
import { AUTHENTICATE, giveTotp, submitCode, totpCode } from '#tests/helpers/mfa'
import { selectRow } from '#database/statements'

test.group('Sign-in with a second factor', () => {
  test('the password alone signs in nobody: the sign-in waits for the code', async ({ assert }) => {
    const { user, email, password } = await createUser()
    const { secret } = await giveTotp(user.id)
    const browser = new Browser()
    const page = await browser.signIn(email, password, '/accounts/grants/')
    assert.equal(page.status, 303)
    assert.equal(new URL(page.location!).pathname, AUTHENTICATE)
    assert.isFalse(await isSignedIn(browser))
    assert.equal((await browser.get('/accounts/grants/')).status, 302)

    const done = await submitCode(browser, totpCode(secret))
    assert.equal(done.status, 303, done.body.slice(0, 800))
    assert.equal(new URL(done.location!).pathname, '/accounts/grants/')
    assert.isTrue(await isSignedIn(browser))
  })

  test('without a waiting sign-in the page sends to the login page', async ({ assert }) => {
    const browser = new Browser()
    const page = await browser.get(AUTHENTICATE)
    assert.equal(page.status, 302)
    assert.equal(new URL(page.location!).pathname, '/accounts/login/')
    const posted = await browser.post(AUTHENTICATE, { code: '123456' })
    assert.oneOf(posted.status, [303, 403])
  })

  test('a copy of the cookie cannot complete the sign-in a second time', async ({ assert }) => {
    const { user, email, password } = await createUser()
    const { secret } = await giveTotp(user.id)
    const browser = new Browser()
    await browser.signIn(email, password)
    const copy = new Browser()
    copy.cookies = new Map(browser.cookies)
    const done = await submitCode(browser, totpCode(secret))
    assert.equal(done.status, 303)
    const again = await copy.get(AUTHENTICATE)
    assert.equal(new URL(again.location!).pathname, '/accounts/login/')
    assert.isNull(await selectRow('select id from mfa_sign_in_stages where user_id = ?', [user.id]))
  })

  test('the cancel button signs out and drops the waiting sign-in', async ({ assert }) => {
    const { user, email, password } = await createUser()
    await giveTotp(user.id)
    const browser = new Browser()
    await browser.signIn(email, password)
    const page = await browser.get(AUTHENTICATE)
    await browser.submit(readForm(page.body, 'form[action="/accounts/logout/"]'))
    assert.isNull(await selectRow('select id from mfa_sign_in_stages where user_id = ?', [user.id]))
    const after = await browser.get(AUTHENTICATE)
    assert.equal(after.status, 302)
    assert.equal(new URL(after.location!).pathname, '/accounts/login/')
    assert.isFalse(await isSignedIn(browser))
  })
})
