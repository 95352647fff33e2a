/**
 * The account pages that guard an account: password change, reauthentication
 * before sensitive actions, and the sessions page. A session ended from
 * another one (sign out other sessions, a password change or reset) is dead
 * on the server at once: the other browser's cookie is refused on its next
 * request, and the relying parties it signed into get a back-channel logout.
 */
import { test } from '@japa/runner'
import type { Assert } from '@japa/assert'
import { createRemoteJWKSet, jwtVerify } from 'jose'
import db from '@adonisjs/lucid/services/db'
import { BASE_URL, Browser, isSignedIn, readForm, signsIn } from '#tests/helpers/browser'
import { createClient, createUser, type TestUser } from '#tests/helpers/factories'
import { BackchannelReceiver } from '#tests/helpers/backchannel_receiver'
import { discoverAs, ISSUER, runCodeFlow } from '#tests/helpers/relying_party'
import { mailSink } from '#tests/helpers/mail_sink'
import {
  goodPassword,
  pageText,
  requestReset,
  resetWithLink,
  useAccountRateLimits,
  useAccountSettings,
} from '#tests/helpers/accounts'

const HOST = new URL(BASE_URL).host
const CHANGE = '/accounts/password/change/'
const REAUTH = '/accounts/reauthenticate/'
const SESSIONS = '/accounts/sessions/'
const EMAIL = '/accounts/email/'

/** Signs `person` in from a browser that calls itself `userAgent` */
async function signInAs(person: TestUser, userAgent: string) {
  const browser = new Browser()
  const page = await browser.get('/accounts/login/')
  const form = readForm(page.body, 'form[action="/accounts/login/"]')
  const params = new URLSearchParams(form.fields)
  params.set('login', person.email)
  params.set('password', person.password)
  const answer = await browser.post(form.action, params, { 'user-agent': userAgent })
  if (answer.status !== 303) throw new Error(`sign-in failed: ${answer.status}`)
  return browser
}

const sessionRows = (userId: number) => db.from('user_sessions').where('user_id', userId)

/** The other browser is anonymous on its next request */
async function assertSignedOut(assert: Assert, browser: Browser) {
  assert.isFalse(await isSignedIn(browser))
  const grants = await browser.get('/accounts/grants/')
  assert.equal(grants.status, 302)
  assert.match(grants.location!, /\/accounts\/login\//)
}

/** Every session counts as stale for this test: reauth pages ask for the password */
const staleSessions = (cleanup: (handler: () => void) => void) =>
  useAccountSettings(cleanup, { reauthenticationTimeout: -1 })

test.group('Password change', () => {
  test('refuses a wrong old password and weak new ones; then keeps this session and ends the others', async ({
    assert,
  }) => {
    const person = await createUser()
    const browser = await signInAs(person, 'Browser A')
    const other = await signInAs(person, 'Browser B')
    const page = await browser.get(CHANGE)
    assert.equal(page.status, 200)
    const form = readForm(page.body, `form[action="${CHANGE}"]`)

    const password = goodPassword()
    const wrongOld = await browser.submit(form, {
      oldpassword: 'not it',
      password1: password,
      password2: password,
    })
    assert.equal(wrongOld.status, 200)
    assert.include(pageText(wrongOld.body), 'Please type your current password.')
    const weak = await browser.submit(form, {
      oldpassword: person.password,
      password1: '12345678',
      password2: '12345678',
    })
    assert.include(pageText(weak.body), 'This password is too common.')
    assert.include(pageText(weak.body), 'This password is entirely numeric.')
    const mismatch = await browser.submit(form, {
      oldpassword: person.password,
      password1: password,
      password2: goodPassword(),
    })
    assert.include(pageText(mismatch.body), 'You must type the same password each time.')
    assert.isTrue(await signsIn(person.email, person.password), 'nothing changed yet')

    const changed = await browser.submit(form, {
      oldpassword: person.password,
      password1: password,
      password2: password,
    })
    assert.equal(changed.status, 303)
    assert.equal(changed.location, `${BASE_URL}${CHANGE}`)
    assert.include(pageText((await browser.get(CHANGE)).body), 'Password successfully changed.')
    assert.isTrue(await isSignedIn(browser), 'this session stays')
    await assertSignedOut(assert, other)
    assert.lengthOf(await sessionRows(person.user.id), 1)
    assert.isFalse(await signsIn(person.email, person.password))
    assert.isTrue(await signsIn(person.email, password))
    assert.equal((await mailSink.nextMail(person.email)).subject, `[${HOST}] Password Changed`)
  })

  test('signed-in only; change_password is rate limited per user', async ({ assert, cleanup }) => {
    useAccountRateLimits(cleanup, { change_password: '1/m/user' })
    const anonymous = await new Browser().get(CHANGE)
    assert.equal(anonymous.status, 302)
    assert.equal(
      anonymous.location,
      `${BASE_URL}/accounts/login/?next=%2Faccounts%2Fpassword%2Fchange%2F`
    )

    const person = await createUser()
    const browser = await signInAs(person, 'Browser A')
    const form = readForm((await browser.get(CHANGE)).body, `form[action="${CHANGE}"]`)
    const first = await browser.submit(form, { oldpassword: 'no', password1: 'a', password2: 'a' })
    assert.equal(first.status, 200)
    const password = goodPassword()
    const limited = await browser.submit(form, {
      oldpassword: person.password,
      password1: password,
      password2: password,
    })
    assert.equal(limited.status, 429)
    assert.isTrue(await signsIn(person.email, person.password))
  })
})

test.group('Reauthentication', () => {
  test('a stale session is asked for its password before adding an address, then sent back', async ({
    assert,
    cleanup,
  }) => {
    const person = await createUser()
    const browser = await signInAs(person, 'Browser A')
    const emailPage = await browser.get(EMAIL)
    staleSessions(cleanup)
    const address = `added-${person.user.id}@example.com`
    const asked = await browser.submit(readForm(emailPage.body, 'form[id="add-email"]'), {
      email: address,
      action_add: '1',
    })
    assert.equal(asked.status, 303)
    assert.equal(asked.location, `${BASE_URL}${REAUTH}?next=%2Faccounts%2Femail%2F`)
    assert.isNull(await db.from('email_addresses').where('email', address).first())

    const page = await browser.get(asked.location!)
    assert.equal(page.status, 200)
    const form = readForm(page.body, `form[action="${REAUTH}"]`)
    assert.deepInclude(form.fields, ['next', EMAIL])
    const wrong = await browser.submit(form, { password: 'not it' })
    assert.equal(wrong.status, 200)
    assert.include(pageText(wrong.body), 'Incorrect password.')
    const right = await browser.submit(form, { password: person.password })
    assert.equal(right.status, 303)
    assert.equal(right.location, `${BASE_URL}${EMAIL}`)
  })

  test('a fresh session passes; the reauthentication page never sends off-site', async ({
    assert,
  }) => {
    const person = await createUser()
    const browser = await signInAs(person, 'Browser A')
    const address = `fresh-${person.user.id}@example.com`
    const added = await browser.submit(
      readForm((await browser.get(EMAIL)).body, 'form[id="add-email"]'),
      { email: address, action_add: '1' }
    )
    assert.equal(added.location, `${BASE_URL}${EMAIL}`)
    assert.isNotNull(await db.from('email_addresses').where('email', address).first())

    const page = await browser.get(`${REAUTH}?next=${encodeURIComponent('//evil.example/')}`)
    const answer = await browser.submit(readForm(page.body, `form[action="${REAUTH}"]`), {
      password: person.password,
    })
    assert.equal(answer.location, `${BASE_URL}/`)
    assert.equal((await new Browser().get(REAUTH)).status, 302, 'anonymous: the login page')
  })

  test('reauthenticate is rate limited per user', async ({ assert, cleanup }) => {
    useAccountRateLimits(cleanup, { reauthenticate: '1/m/user' })
    const person = await createUser()
    const browser = await signInAs(person, 'Browser A')
    const form = readForm((await browser.get(REAUTH)).body, `form[action="${REAUTH}"]`)
    assert.equal((await browser.submit(form, { password: 'wrong' })).status, 200)
    const limited = await browser.submit(form, { password: person.password })
    assert.equal(limited.status, 429)
    assert.match(limited.headers.get('retry-after')!, /^\d+$/)
  })
})

test.group('Sessions page', () => {
  test('lists each session with its browser, IP and times, and marks the current one', async ({
    assert,
  }) => {
    const person = await createUser()
    const browser = await signInAs(person, 'Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0')
    const page = await browser.get(SESSIONS)
    assert.equal(page.status, 200)
    assert.include(pageText(page.body), 'Firefox on Linux')
    assert.include(pageText(page.body), 'Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0')
    assert.include(pageText(page.body), '127.0.0.1')
    assert.include(pageText(page.body), 'Current')
    assert.match(pageText(page.body), /Started \d{4}-\d\d-\d\d \d\d:\d\d UTC/)
    assert.match(pageText(page.body), /Last seen \d{4}-\d\d-\d\d \d\d:\d\d UTC/)
    /* alone: the form signs out */
    assert.doesNotThrow(() => readForm(page.body, 'form[action="/accounts/logout/"]'))
    assert.throws(() => readForm(page.body, `form[action="${SESSIONS}"]`))

    await signInAs(
      person,
      'Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) Version/17.1 Mobile/15E148 Safari/604.1'
    )
    const both = await browser.get(SESSIONS)
    assert.include(pageText(both.body), 'Safari on iOS')
    assert.equal(pageText(both.body).split('Current').length - 1, 1)
    assert.include(pageText(both.body), 'Sign Out Other Sessions')
  })

  test('"sign out other sessions" ends them on the server at once; this one stays', async ({
    assert,
  }) => {
    const person = await createUser()
    const browser = await signInAs(person, 'Browser A')
    const others = [await signInAs(person, 'Browser B'), await signInAs(person, 'Browser C')]
    const page = await browser.get(SESSIONS)
    const ended = await browser.submit(readForm(page.body, `form[action="${SESSIONS}"]`))
    assert.equal(ended.status, 303)
    assert.equal(ended.location, `${BASE_URL}${SESSIONS}`)
    assert.include(pageText((await browser.get(SESSIONS)).body), 'Signed out 2 other sessions.')
    assert.lengthOf(await sessionRows(person.user.id), 1)
    for (const other of others) await assertSignedOut(assert, other)
    assert.isTrue(await isSignedIn(browser))
  })

  test('a stale session must reauthenticate before ending others', async ({ assert, cleanup }) => {
    const person = await createUser()
    const browser = await signInAs(person, 'Browser A')
    const other = await signInAs(person, 'Browser B')
    const page = await browser.get(SESSIONS)
    staleSessions(cleanup)
    const asked = await browser.submit(readForm(page.body, `form[action="${SESSIONS}"]`))
    assert.equal(asked.location, `${BASE_URL}${REAUTH}?next=%2Faccounts%2Fsessions%2F`)
    assert.lengthOf(await sessionRows(person.user.id), 2)
    assert.isTrue(await isSignedIn(other))
  })
})

test.group('Back-channel logout for sessions ended from elsewhere', (group) => {
  const receiver = new BackchannelReceiver()
  let rpUri = ''
  group.setup(async () => {
    rpUri = await receiver.start()
    return () => receiver.stop()
  })

  /** `person` signs in to a relying party from a new browser; the sid of its ID token */
  async function signedIntoRp(person: TestUser) {
    const rp = await createClient({ backchannelLogoutUri: rpUri })
    const browser = new Browser()
    const tokens = await runCodeFlow(await discoverAs(rp, 'basic'), browser, person)
    return { rp, browser, sid: tokens.claims()!.sid as string }
  }

  async function assertLogoutToken(assert: Assert, rpId: string, sid: string) {
    const jwks = createRemoteJWKSet(new URL(`${ISSUER}/.well-known/jwks.json`))
    for (const token of receiver.tokens) {
      const { payload } = await jwtVerify(token, jwks, { issuer: ISSUER, typ: 'logout+jwt' })
      if (payload.aud === rpId && payload.sid === sid) return
    }
    assert.fail(`no logout token for sid ${sid}`)
  }

  test('"sign out other sessions"', async ({ assert }) => {
    const person = await createUser()
    const elsewhere = await signedIntoRp(person)
    const browser = await signInAs(person, 'Browser A')
    const notified = receiver.next()
    await browser.submit(readForm((await browser.get(SESSIONS)).body, `form[action="${SESSIONS}"]`))
    await notified
    await assertLogoutToken(assert, elsewhere.rp.id, elsewhere.sid)
    await assertSignedOut(assert, elsewhere.browser)
  })

  test('a password change', async ({ assert }) => {
    const person = await createUser()
    const elsewhere = await signedIntoRp(person)
    const browser = await signInAs(person, 'Browser A')
    const password = goodPassword()
    const notified = receiver.next()
    await browser.submit(readForm((await browser.get(CHANGE)).body, `form[action="${CHANGE}"]`), {
      oldpassword: person.password,
      password1: password,
      password2: password,
    })
    await notified
    await assertLogoutToken(assert, elsewhere.rp.id, elsewhere.sid)
  })

  test('a password reset', async ({ assert }) => {
    const person = await createUser()
    const elsewhere = await signedIntoRp(person)
    await requestReset(new Browser(), person.email)
    const link = (await mailSink.nextMail(person.email)).links[0]
    const notified = receiver.next()
    assert.equal((await resetWithLink(new Browser(), link, goodPassword())).status, 303)
    await notified
    await assertLogoutToken(assert, elsewhere.rp.id, elsewhere.sid)
    await assertSignedOut(assert, elsewhere.browser)
  })
})
