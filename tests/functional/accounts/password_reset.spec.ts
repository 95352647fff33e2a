/**
 * Password reset as allauth does it, with every mail taken from the SMTP
 * sink: the link (single use, expiring, dead once the password or the last
 * sign-in changes), the code, no account enumeration, the rate limits, and
 * the end of every session of the account.
 */
import { test } from '@japa/runner'
import User from '#models/user'
import { makeResetKey, uidb36 } from '#services/accounts/password_reset/reset_keys'
import { BASE_URL, Browser, isSignedIn, readForm, signsIn } from '#tests/helpers/browser'
import { createUser } from '#tests/helpers/factories'
import { mailSink } from '#tests/helpers/mail_sink'
import {
  PASSWORD_RESET,
  goodPassword,
  pageText,
  requestReset,
  resetWithLink,
  useAccountRateLimits,
  useAccountSettings,
} from '#tests/helpers/accounts'

const HOST = new URL(BASE_URL).host
const DONE = '/accounts/password/reset/done/'
const KEY_DONE = '/accounts/password/reset/key/done/'
const CONFIRM = '/accounts/password/reset/confirm/'
const COMPLETE = '/accounts/password/reset/complete/'
const INVALID = 'The password reset link was invalid'

const keyPath = (userId: number, key: string) =>
  `${BASE_URL}/accounts/password/reset/key/${uidb36(userId)}-${key}/`

test.group('Password reset by link', () => {
  test('the mailed link sets a new password, signs every session out and does not sign in', async ({
    assert,
  }) => {
    const person = await createUser()
    const elsewhere = new Browser()
    await elsewhere.signIn(person.email, person.password)
    assert.isTrue(await isSignedIn(elsewhere))

    const browser = new Browser()
    const asked = await requestReset(browser, person.email)
    assert.equal(asked.status, 303)
    assert.equal(asked.location, `${BASE_URL}${DONE}`)
    assert.include(pageText((await browser.get(DONE)).body), 'We have sent you an email')

    const mail = await mailSink.nextMail(person.email)
    assert.equal(mail.subject, `[${HOST}] Password Reset Email`)
    assert.match(mail.text, new RegExp(`^Hello from ${HOST}!`))
    assert.include(mail.text, `your username is ${person.user.username}`)
    assert.lengthOf(mail.links, 1)
    assert.match(
      mail.links[0],
      new RegExp(
        `^${BASE_URL}/accounts/password/reset/key/${uidb36(person.user.id)}-[0-9a-z]+-[0-9a-f]{32}/$`
      )
    )

    const opened = await browser.get(mail.links[0])
    assert.equal(opened.status, 302)
    const setPath = `/accounts/password/reset/key/${uidb36(person.user.id)}-set-password/`
    assert.equal(opened.location, `${BASE_URL}${setPath}`)
    const form = await browser.get(opened.location!)
    assert.equal(form.status, 200)
    assert.include(form.body, 'name="action"')

    const short = await browser.submit(readForm(form.body, `form[action="${setPath}"]`), {
      password1: 'abc',
      password2: 'abc',
    })
    assert.equal(short.status, 200)
    assert.include(pageText(short.body), 'This password is too short.')
    const mismatch = await browser.submit(readForm(form.body, `form[action="${setPath}"]`), {
      password1: goodPassword(),
      password2: goodPassword(),
    })
    assert.include(pageText(mismatch.body), 'You must type the same password each time.')

    const password = goodPassword()
    const done = await browser.submit(readForm(form.body, `form[action="${setPath}"]`), {
      password1: password,
      password2: password,
      action: 'change',
    })
    assert.equal(done.status, 303)
    assert.equal(done.location, `${BASE_URL}${KEY_DONE}`)
    assert.include(pageText((await browser.get(KEY_DONE)).body), 'Your password is now changed.')
    assert.isFalse(await isSignedIn(browser))
    assert.isFalse(await isSignedIn(elsewhere), 'the session signed in before is over')
    assert.isFalse(await signsIn(person.email, person.password), 'the old password is refused')
    assert.isTrue(await signsIn(person.email, password))

    const notice = await mailSink.nextMail(person.email)
    assert.equal(notice.subject, `[${HOST}] Password Reset`)
  })

  test('a link works once: used, it shows the invalid page, also in a browser that opened it before', async ({
    assert,
  }) => {
    const person = await createUser()
    await requestReset(new Browser(), person.email)
    const link = (await mailSink.nextMail(person.email)).links[0]
    const early = new Browser()
    const earlyOpened = await early.get(link)
    const earlyForm = await early.get(earlyOpened.location!)

    assert.equal((await resetWithLink(new Browser(), link, goodPassword())).status, 303)
    const again = await resetWithLink(new Browser(), link, goodPassword())
    assert.equal(again.status, 200)
    assert.include(pageText(again.body), INVALID)
    assert.notInclude(again.body, 'name="password1"')

    const password = goodPassword()
    const late = await early.submit(
      readForm(earlyForm.body, `form[action="${new URL(earlyOpened.location!).pathname}"]`),
      {
        password1: password,
        password2: password,
      }
    )
    assert.include(pageText(late.body), INVALID)
    assert.isFalse(await signsIn(person.email, password))
  })

  test('a link dies when the password changes, when the person signs in, and after 3 days', async ({
    assert,
  }) => {
    const changed = await createUser()
    await requestReset(new Browser(), changed.email)
    const changedLink = (await mailSink.nextMail(changed.email)).links[0]
    await User.query().where('id', changed.user.id).update({ password: 'x' })
    const refused = await new Browser().get(changedLink)
    assert.equal(refused.status, 200)
    assert.include(pageText(refused.body), INVALID)

    const signedIn = await createUser()
    await requestReset(new Browser(), signedIn.email)
    const signedInLink = (await mailSink.nextMail(signedIn.email)).links[0]
    assert.isTrue(await signsIn(signedIn.email, signedIn.password))
    assert.include(pageText((await new Browser().get(signedInLink)).body), INVALID)

    const stale = await createUser()
    const user = await User.findOrFail(stale.user.id)
    const threeDays = 3 * 24 * 3600 * 1000
    const oldKey = await makeResetKey(user, Date.now() - threeDays - 1000)
    const recentKey = await makeResetKey(user, Date.now() - threeDays + 60_000)
    assert.include(pageText((await new Browser().get(keyPath(user.id, oldKey))).body), INVALID)
    assert.equal((await new Browser().get(keyPath(user.id, recentKey))).status, 302)
    const forged = recentKey.replace(/.$/, (last) => (last === '0' ? '1' : '0'))
    assert.include(pageText((await new Browser().get(keyPath(user.id, forged))).body), INVALID)
  })

  test('a reset started from a sign-in goes back to it', async ({ assert }) => {
    const person = await createUser()
    const browser = new Browser()
    const login = await browser.get('/accounts/login/?next=%2Faccounts%2Fgrants%2F')
    const forgot = /href="([^"]*password\/reset\/[^"]*)"/
      .exec(login.body)![1]
      .replace(/&amp;/g, '&')
    assert.equal(forgot, '/accounts/password/reset/?next=%2Faccounts%2Fgrants%2F')
    const page = await browser.get(forgot)
    await browser.submit(readForm(page.body, `form[action="${PASSWORD_RESET}"]`), {
      email: person.email,
    })
    const password = goodPassword()
    await resetWithLink(browser, (await mailSink.nextMail(person.email)).links[0], password)
    const done = await browser.get(KEY_DONE)
    const signIn = /href="([^"]*accounts\/login\/[^"]*)"/.exec(done.body)![1].replace(/&amp;/g, '&')
    assert.equal(signIn, '/accounts/login/?next=%2Faccounts%2Fgrants%2F')
    const answer = await browser.submit(
      readForm((await browser.get(signIn)).body, 'form[action="/accounts/login/"]'),
      { login: person.email, password }
    )
    assert.equal(answer.location, `${BASE_URL}/accounts/grants/`)
  })
})

test.group('Password reset without account enumeration', () => {
  test('an unknown address gets the answer a known one gets, and an "Unknown Account" mail', async ({
    assert,
  }) => {
    const person = await createUser()
    const unknown = `nobody-${person.user.id}@example.com`
    const known = await requestReset(new Browser(), person.email)
    const other = await requestReset(new Browser(), unknown)
    assert.equal(other.status, known.status)
    assert.equal(other.location, known.location)
    assert.equal(other.body, known.body)

    const mail = await mailSink.nextMail(unknown)
    assert.equal(mail.subject, `[${HOST}] Unknown Account`)
    assert.include(mail.text, unknown)
    assert.deepEqual(mail.links, [`${BASE_URL}/accounts/signup/`])
    assert.equal((await mailSink.nextMail(person.email)).subject, `[${HOST}] Password Reset Email`)
  })

  test('with enumeration allowed, an unknown address is refused by the form and mailed nothing', async ({
    assert,
    cleanup,
  }) => {
    useAccountSettings(cleanup, { preventEnumeration: false })
    const unknown = `nobody-else-${Date.now()}@example.com`
    const answer = await requestReset(new Browser(), unknown)
    assert.equal(answer.status, 200)
    assert.include(pageText(answer.body), 'The email address is not assigned to any user account.')
    assert.lengthOf(await mailSink.newMailsAfter(unknown, 1200), 0)
  })

  test('an inactive account is treated as unknown', async ({ assert }) => {
    const person = await createUser({ isActive: false })
    await requestReset(new Browser(), person.email)
    assert.equal((await mailSink.nextMail(person.email)).subject, `[${HOST}] Unknown Account`)
  })
})

test.group('Password reset by code', () => {
  test('the mailed code, then the new password; a wrong code first; other sessions end', async ({
    assert,
    cleanup,
  }) => {
    useAccountSettings(cleanup, { passwordResetByCode: true })
    const person = await createUser()
    const elsewhere = new Browser()
    await elsewhere.signIn(person.email, person.password)

    const browser = new Browser()
    const asked = await requestReset(browser, person.email)
    assert.equal(asked.location, `${BASE_URL}${CONFIRM}`)
    const mail = await mailSink.nextMail(person.email)
    assert.equal(mail.subject, `[${HOST}] Password Reset Code`)
    assert.lengthOf(mail.links, 0)
    assert.match(mail.code!, /^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/)

    const page = await browser.get(CONFIRM)
    assert.equal(page.status, 200)
    assert.deepInclude(readForm(page.body, 'form[id="resend"]').fields, ['action', 'resend'])
    assert.equal((await browser.get(COMPLETE)).location, `${BASE_URL}${PASSWORD_RESET}`)
    const wrong = await browser.submit(readForm(page.body, `form[action="${CONFIRM}"]`), {
      code: 'BBBB-BBBB',
    })
    assert.include(pageText(wrong.body), 'Incorrect code.')
    const right = await browser.submit(readForm(wrong.body, `form[action="${CONFIRM}"]`), {
      code: mail.code!.toLowerCase(),
    })
    assert.equal(right.location, `${BASE_URL}${COMPLETE}`)

    const form = await browser.get(COMPLETE)
    const password = goodPassword()
    const done = await browser.submit(readForm(form.body, `form[action="${COMPLETE}"]`), {
      password1: password,
      password2: password,
      action: 'change',
    })
    assert.equal(done.location, `${BASE_URL}${DONE}`)
    assert.include(pageText((await browser.get(DONE)).body), 'Your password is now changed.')
    assert.isFalse(await isSignedIn(browser))
    assert.isFalse(await isSignedIn(elsewhere))
    assert.isTrue(await signsIn(person.email, password))
    /* used: the form is gone */
    assert.equal((await browser.get(COMPLETE)).location, `${BASE_URL}${PASSWORD_RESET}`)
  })

  test('three wrong codes drop the reset; the right code no longer works', async ({
    assert,
    cleanup,
  }) => {
    useAccountSettings(cleanup, { passwordResetByCode: true })
    const person = await createUser()
    const browser = new Browser()
    await requestReset(browser, person.email)
    const code = (await mailSink.nextMail(person.email)).code!
    const form = readForm((await browser.get(CONFIRM)).body, `form[action="${CONFIRM}"]`)
    for (let attempt = 1; attempt <= 2; attempt++)
      assert.include(
        pageText((await browser.submit(form, { code: 'ZZZZ-ZZZZ' })).body),
        'Incorrect code.'
      )
    const dropped = await browser.submit(form, { code: 'ZZZZ-ZZZZ' })
    assert.equal(dropped.location, `${BASE_URL}${PASSWORD_RESET}`)
    const late = await browser.submit(form, { code })
    assert.equal(late.location, `${BASE_URL}${PASSWORD_RESET}`)
    assert.equal((await browser.get(COMPLETE)).location, `${BASE_URL}${PASSWORD_RESET}`)
  })

  test('an unknown address gets the code page too, and no code passes it', async ({
    assert,
    cleanup,
  }) => {
    useAccountSettings(cleanup, { passwordResetByCode: true })
    const unknown = `nobody-code-${Date.now()}@example.com`
    const browser = new Browser()
    assert.equal((await requestReset(browser, unknown)).location, `${BASE_URL}${CONFIRM}`)
    assert.equal((await mailSink.nextMail(unknown)).subject, `[${HOST}] Unknown Account`)
    const form = readForm((await browser.get(CONFIRM)).body, `form[action="${CONFIRM}"]`)
    assert.include(
      pageText((await browser.submit(form, { code: 'BCDF-GHJK' })).body),
      'Incorrect code.'
    )
  })
})

test.group('Password reset rate limits', () => {
  test('reset_password: the sixth request for one address within a minute gets 429', async ({
    assert,
  }) => {
    const person = await createUser()
    for (let request = 1; request <= 5; request++)
      assert.equal((await requestReset(new Browser(), person.email)).status, 303)
    const limited = await requestReset(new Browser(), person.email)
    assert.equal(limited.status, 429)
    assert.match(limited.headers.get('retry-after')!, /^\d+$/)
    assert.include(pageText(limited.body), 'Too Many Requests')
  })

  test('reset_password_from_key: set-password POSTs count per IP', async ({ assert, cleanup }) => {
    useAccountRateLimits(cleanup, { reset_password_from_key: '1/m/ip' })
    const person = await createUser()
    const browser = new Browser()
    await requestReset(browser, person.email)
    const link = (await mailSink.nextMail(person.email)).links[0]
    const opened = await browser.get(link)
    const form = readForm(
      (await browser.get(opened.location!)).body,
      `form[action="${new URL(opened.location!).pathname}"]`
    )
    assert.equal((await browser.submit(form, { password1: 'a', password2: 'b' })).status, 200)
    const password = goodPassword()
    const limited = await browser.submit(form, { password1: password, password2: password })
    assert.equal(limited.status, 429)
    assert.isFalse(await signsIn(person.email, password))
  })
})

test.group('Password reset in the page language', () => {
  test('a reset asked for in German gets German pages and a German mail', async ({ assert }) => {
    const person = await createUser()
    const browser = new Browser()
    const german = { 'accept-language': 'de' }
    const page = await browser.get(PASSWORD_RESET, german)
    assert.include(pageText(page.body), 'Passwort vergessen?')
    const form = readForm(page.body, `form[action="${PASSWORD_RESET}"]`)
    const params = new URLSearchParams(form.fields)
    params.set('email', person.email)
    await browser.post(PASSWORD_RESET, params, german)
    const mail = await mailSink.nextMail(person.email)
    assert.equal(mail.subject, `[${HOST}] E-Mail zum Zurücksetzen des Passworts`)
    assert.include(mail.text, 'Passwort')
    const opened = await browser.get(mail.links[0], german)
    const setPage = await browser.get(opened.location!, german)
    assert.include(pageText(setPage.body), 'Neues Passwort (wiederholen)')
  })
})
