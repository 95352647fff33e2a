import { test } from '@japa/runner'
import EmailAddress from '#models/email_address'
import { BASE_URL, Browser, readForm, type Page } from '#tests/helpers/browser'
import { createUser, type TestUser } from '#tests/helpers/factories'
import { mailSink } from '#tests/helpers/mail_sink'
import {
  CONFIRM_EMAIL,
  EMAIL_PAGE,
  pageText,
  uniqueEmail,
  useAccountRateLimits,
  useAccountSettings,
} from '#tests/helpers/accounts'

const HOST = new URL(BASE_URL).host

async function signedIn(person?: TestUser) {
  const user = person ?? (await createUser())
  const browser = new Browser()
  await browser.signIn(user.email, user.password)
  return { browser, person: user }
}

/** Posts the list form (radio `email` + an action button) or the add form */
async function act(browser: Browser, action: string, email: string) {
  const page = await browser.get(EMAIL_PAGE)
  const form = readForm(
    page.body,
    `form[id="${action === 'action_add' ? 'add-email' : 'addresses'}"]`
  )
  return browser.submit(form, { email, [action]: '1' })
}

const addresses = async (userId: number) =>
  (await EmailAddress.query().where('user_id', userId).orderBy('id')).map(
    ({ email, verified, primary }) => ({ email, verified, primary })
  )

async function flashed(browser: Browser, answer: Page) {
  return pageText((await browser.get(answer.location!)).body)
}

test.group('Email addresses page', () => {
  test('anonymous visitors go to the login page', async ({ assert }) => {
    const page = await new Browser().get(EMAIL_PAGE)
    assert.equal(page.status, 302)
    assert.equal(page.location, `${BASE_URL}/accounts/login/?next=%2Faccounts%2Femail%2F`)
  })

  test('lists each address with Verified/Unverified and Primary, beside a radio', async ({
    assert,
  }) => {
    const { browser, person } = await signedIn()
    const second = uniqueEmail('second')
    await EmailAddress.create({
      userId: person.user.id,
      email: second,
      verified: false,
      primary: false,
    })
    const page = await browser.get(EMAIL_PAGE)
    assert.equal(page.status, 200)
    assert.equal(page.headers.get('cache-control'), 'no-store')
    const text = pageText(page.body)
    assert.include(text, `${person.email} Verified Primary`)
    assert.include(text, `${second} Unverified`)
    assert.include(page.body, `name="email" value="${second}"`)
    for (const button of ['action_primary', 'action_send', 'action_remove', 'action_add'])
      assert.include(page.body, `name="${button}"`)
  })

  test('adds an address unverified, mails a link, and the link verifies it', async ({ assert }) => {
    const { browser, person } = await signedIn()
    const added = uniqueEmail('added')
    const answer = await act(browser, 'action_add', added.toUpperCase())
    assert.equal(answer.status, 303)
    assert.equal(answer.location, `${BASE_URL}${EMAIL_PAGE}`)
    assert.include(await flashed(browser, answer), `Confirmation email sent to ${added}.`)
    assert.deepInclude(await addresses(person.user.id), {
      email: added,
      verified: false,
      primary: false,
    })

    const mail = await mailSink.nextMail(added)
    assert.equal(mail.subject, `[${HOST}] Please Confirm Your Email Address`)
    assert.include(mail.text, person.user.username!)
    const confirm = await browser.get(mail.links[0])
    const done = await browser.submit(
      readForm(confirm.body, `form[action="${new URL(mail.links[0]).pathname}"]`)
    )
    assert.equal(done.location, `${BASE_URL}/`)
    assert.deepInclude(await addresses(person.user.id), {
      email: added,
      verified: true,
      primary: false,
    })
  })

  test('refuses a bad, own or taken address with the form error', async ({ assert }) => {
    const { browser, person } = await signedIn()
    const other = await createUser()
    const cases: [string, string][] = [
      ['nope', 'Enter a valid email address.'],
      [person.email, 'This email address is already associated with this account.'],
      [other.email, 'A user is already registered with this email address.'],
    ]
    for (const [email, message] of cases) {
      const page = await act(browser, 'action_add', email)
      assert.equal(page.status, 200, email)
      assert.include(pageText(page.body), message)
    }
    assert.lengthOf(await addresses(person.user.id), 1)
  })

  test('re-sends the verification of an unverified address', async ({ assert }) => {
    const { browser, person } = await signedIn()
    const pending = uniqueEmail('pending')
    await EmailAddress.create({
      userId: person.user.id,
      email: pending,
      verified: false,
      primary: false,
    })
    const answer = await act(browser, 'action_send', pending)
    assert.equal(answer.location, `${BASE_URL}${EMAIL_PAGE}`)
    assert.lengthOf((await mailSink.nextMail(pending)).links, 1)
  })

  test('makes a verified address primary; an unverified one is refused', async ({ assert }) => {
    const { browser, person } = await signedIn()
    const verified = uniqueEmail('verified')
    const unverified = uniqueEmail('unverified')
    await EmailAddress.createMany([
      { userId: person.user.id, email: verified, verified: true, primary: false },
      { userId: person.user.id, email: unverified, verified: false, primary: false },
    ])
    const refused = await act(browser, 'action_primary', unverified)
    assert.include(await flashed(browser, refused), 'Your primary email address must be verified.')
    const done = await act(browser, 'action_primary', verified)
    assert.include(await flashed(browser, done), 'Primary email address set.')
    assert.deepEqual(await addresses(person.user.id), [
      { email: person.email, verified: true, primary: false },
      { email: verified, verified: true, primary: true },
      { email: unverified, verified: false, primary: false },
    ])
  })

  test('removes an address, which then no longer signs in; the primary cannot be removed', async ({
    assert,
  }) => {
    const { browser, person } = await signedIn()
    const extra = uniqueEmail('extra')
    await EmailAddress.create({
      userId: person.user.id,
      email: extra,
      verified: true,
      primary: false,
    })
    assert.equal((await new Browser().signIn(extra, person.password)).status, 303)
    const refused = await act(browser, 'action_remove', person.email)
    assert.include(await flashed(browser, refused), 'You cannot remove your primary email address.')
    const done = await act(browser, 'action_remove', extra)
    assert.include(await flashed(browser, done), `Removed email address ${extra}.`)
    assert.deepEqual(await addresses(person.user.id), [
      { email: person.email, verified: true, primary: true },
    ])
    assert.equal((await new Browser().signIn(extra, person.password)).status, 200)
  })

  test("someone else's address cannot be changed through the form", async ({ assert }) => {
    const { browser } = await signedIn()
    const other = await createUser()
    for (const action of ['action_remove', 'action_primary', 'action_send']) {
      await act(browser, action, other.email)
    }
    assert.deepEqual(await addresses(other.user.id), [
      { email: other.email, verified: true, primary: true },
    ])
  })

  test('add, remove and make-primary need a recent sign-in; re-sending does not', async ({
    assert,
    cleanup,
  }) => {
    useAccountSettings(cleanup, { reauthenticationTimeout: 0 })
    const { browser, person } = await signedIn()
    const pending = uniqueEmail('stale')
    await EmailAddress.create({
      userId: person.user.id,
      email: pending,
      verified: false,
      primary: false,
    })
    await new Promise((resolve) => setTimeout(resolve, 1100))
    for (const action of ['action_add', 'action_remove', 'action_primary']) {
      const answer = await act(
        browser,
        action,
        action === 'action_add' ? uniqueEmail('new') : pending
      )
      assert.equal(answer.status, 303, action)
      assert.equal(
        answer.location,
        `${BASE_URL}/accounts/reauthenticate/?next=%2Faccounts%2Femail%2F`,
        action
      )
    }
    assert.lengthOf(await addresses(person.user.id), 2, 'nothing changed')
    const resent = await act(browser, 'action_send', pending)
    assert.equal(resent.location, `${BASE_URL}${EMAIL_PAGE}`)
  }).timeout(10_000)

  test('the manage_email limit answers 429 per user', async ({ assert, cleanup }) => {
    useAccountRateLimits(cleanup, { manage_email: '2/m/user' })
    const { browser, person } = await signedIn()
    for (let attempt = 1; attempt <= 2; attempt++)
      assert.equal((await act(browser, 'action_primary', person.email)).status, 303)
    const blocked = await act(browser, 'action_primary', person.email)
    assert.equal(blocked.status, 429)
    assert.match(blocked.headers.get('retry-after') ?? '', /^\d+$/)
    const other = await signedIn()
    assert.equal((await act(other.browser, 'action_primary', other.person.email)).status, 303)
  })

  test('a POST without the CSRF token gets 403 and changes nothing', async ({ assert }) => {
    const { browser, person } = await signedIn()
    const page = await browser.get(EMAIL_PAGE)
    const form = readForm(page.body, 'form[id="add-email"]')
    const added = uniqueEmail('csrf')
    const answer = await browser.submit(form, { email: added, action_add: '1', _csrf: null })
    assert.equal(answer.status, 403)
    assert.lengthOf(await addresses(person.user.id), 1)
  })

  test('code mode: adding goes to the code page, whose code verifies and comes back here', async ({
    assert,
    cleanup,
  }) => {
    useAccountSettings(cleanup, { emailVerificationByCode: true })
    const { browser, person } = await signedIn()
    const added = uniqueEmail('by-code')
    const answer = await act(browser, 'action_add', added)
    assert.equal(answer.location, `${BASE_URL}${CONFIRM_EMAIL}`)
    const page = await browser.get(CONFIRM_EMAIL)
    const code = (await mailSink.nextMail(added)).code!
    const done = await browser.submit(readForm(page.body, `form[action="${CONFIRM_EMAIL}"]`), {
      code,
    })
    assert.equal(done.location, `${BASE_URL}${EMAIL_PAGE}`)
    assert.deepInclude(await addresses(person.user.id), {
      email: added,
      verified: true,
      primary: false,
    })
  })
})
