import { test } from '@japa/runner'
import User from '#models/user'
import EmailAddress from '#models/email_address'
import { BASE_URL, Browser, readForm, type Page } from '#tests/helpers/browser'
import { createClient, createUser } from '#tests/helpers/factories'
import { authorizationUrl, discoverAs } from '#tests/helpers/relying_party'
import { mailSink } from '#tests/helpers/mail_sink'
import {
  CONFIRM_EMAIL,
  newAccount,
  pageText,
  signUp,
  useAccountRateLimits,
  useAccountSettings,
} from '#tests/helpers/accounts'

const HOST = new URL(BASE_URL).host
const LOGIN = '/accounts/login/'

async function isSignedIn(browser: Browser) {
  return (await browser.get('/')).body.includes('Signed in as')
}

/** Posts the form at `action` of `page` */
const post = (browser: Browser, page: Page, action: string, values = {}) =>
  browser.submit(readForm(page.body, `form[action="${action}"]`), values)

async function confirmLink(browser: Browser, link: string) {
  const page = await browser.get(link)
  return post(browser, page, new URL(link).pathname)
}

test.group('Mandatory verification (link)', () => {
  test('sign-up does not sign in; the mailed link confirms; the sign-in then goes on to next', async ({
    assert,
    cleanup,
  }) => {
    useAccountSettings(cleanup, { emailVerification: 'mandatory' })
    const account = newAccount('mandatory')
    const browser = new Browser()
    const answer = await signUp(browser, account, { next: '/accounts/grants/' })
    assert.equal(answer.status, 303)
    assert.equal(answer.location, `${BASE_URL}${CONFIRM_EMAIL}`)
    assert.isFalse(await isSignedIn(browser))
    const sent = await browser.get(CONFIRM_EMAIL)
    assert.include(pageText(sent.body), `We have sent an email to ${account.email}`)

    const mail = await mailSink.nextMail(account.email)
    const confirmed = await confirmLink(browser, mail.links[0])
    assert.equal(confirmed.location, `${BASE_URL}${LOGIN}?next=%2Faccounts%2Fgrants%2F`)
    assert.isFalse(await isSignedIn(browser))
    const login = await browser.get(confirmed.location!)
    const signedIn = await post(browser, login, LOGIN, {
      login: account.email,
      password: account.password,
    })
    assert.equal(signedIn.location, `${BASE_URL}/accounts/grants/`)
    assert.isTrue(await isSignedIn(browser))
  })

  test('an unverified sign-in is held back, the mail re-sent (once per 180 s), and no OIDC flow passes', async ({
    assert,
    cleanup,
  }) => {
    useAccountSettings(cleanup, { emailVerification: 'mandatory' })
    const person = await createUser()
    await EmailAddress.query().where('email', person.email).update({ verified: false })
    const rp = await createClient({ redirectUris: ['https://rp.example/callback'] })
    const config = await discoverAs(rp, 'post')
    const { url } = await authorizationUrl(config, 'https://rp.example/callback', 'openid email')

    const browser = new Browser()
    const gate = await browser.get(url)
    assert.include(gate.location!, `${LOGIN}?next=`)
    const login = await browser.get(gate.location!)
    const held = await post(browser, login, LOGIN, {
      login: person.email,
      password: person.password,
    })
    assert.equal(held.status, 303)
    assert.equal(held.location, `${BASE_URL}${CONFIRM_EMAIL}`)
    assert.isFalse(await isSignedIn(browser))
    const again = await browser.get(url)
    assert.include(again.location!, LOGIN, 'the authorize endpoint still asks for a sign-in')

    const mail = await mailSink.nextMail(person.email)
    assert.equal(mail.subject, `[${HOST}] Please Confirm Your Email Address`)
    /* by username this time: the same hold, but no second mail within the confirm_email limit */
    const retry = await new Browser().signIn(person.user.username!, person.password)
    assert.equal(retry.location, `${BASE_URL}${CONFIRM_EMAIL}`)
    assert.lengthOf(await mailSink.newMailsAfter(person.email, 1200), 0)

    const confirmed = await confirmLink(browser, mail.links[0])
    const next = new URL(confirmed.location!).searchParams.get('next')!
    assert.equal(next, new URL(url).pathname + new URL(url).search)
    const signedIn = await post(browser, await browser.get(confirmed.location!), LOGIN, {
      login: person.email,
      password: person.password,
    })
    assert.equal(signedIn.location, `${BASE_URL}${next}`)
    const consent = await browser.get(signedIn.location!)
    assert.equal(consent.status, 200)
    assert.include(consent.body, 'name="request"')
  })

  test('with enumeration prevented, a taken address gets the answer a new one gets, and its owner a mail', async ({
    assert,
    cleanup,
  }) => {
    useAccountSettings(cleanup, { emailVerification: 'mandatory' })
    const owner = await createUser()
    const usersBefore = (await User.query().count('* as total'))[0].$extras.total

    const fresh = await signUp(new Browser(), newAccount('fresh'))
    const taken = await signUp(new Browser(), { ...newAccount('taken'), email: owner.email })
    assert.equal(taken.status, fresh.status)
    assert.equal(taken.location, fresh.location)
    assert.equal(taken.body, fresh.body)
    const takenPage = await new Browser().get(CONFIRM_EMAIL)
    assert.equal(takenPage.status, 200)

    const usersAfter = (await User.query().count('* as total'))[0].$extras.total
    assert.equal(
      Number(usersAfter),
      Number(usersBefore) + 1,
      'only the fresh sign-up created a user'
    )
    const mail = await mailSink.nextMail(owner.email)
    assert.equal(mail.subject, `[${HOST}] Account Already Exists`)
    assert.include(mail.text, owner.email)
    assert.deepEqual(mail.links, [`${BASE_URL}/accounts/password/reset/`])
  })
})

test.group('Verification by code', () => {
  const codeSettings = { emailVerification: 'mandatory' as const, emailVerificationByCode: true }

  test('the mailed code confirms and signs in, after a wrong one; entry ignores case, spaces and dashes', async ({
    assert,
    cleanup,
  }) => {
    useAccountSettings(cleanup, codeSettings)
    const account = newAccount('code')
    const browser = new Browser()
    const answer = await signUp(browser, account, { next: '/accounts/grants/' })
    assert.equal(answer.location, `${BASE_URL}${CONFIRM_EMAIL}`)
    const page = await browser.get(CONFIRM_EMAIL)
    assert.equal(page.status, 200)
    assert.include(pageText(page.body), account.email)
    assert.deepInclude(readForm(page.body, 'form[id="resend"]').fields, ['action', 'resend'])

    const mail = await mailSink.nextMail(account.email)
    assert.match(mail.code!, /^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/)
    assert.lengthOf(mail.links, 0)
    const wrong = await post(browser, page, CONFIRM_EMAIL, { code: 'BBBB-BBBB' })
    assert.equal(wrong.status, 200)
    assert.include(pageText(wrong.body), 'Incorrect code.')
    assert.isFalse(await isSignedIn(browser))

    const typed = ` ${mail.code!.replace('-', ' ').toLowerCase()} `
    const right = await post(browser, wrong, CONFIRM_EMAIL, { code: typed })
    assert.equal(right.status, 303)
    assert.equal(right.location, `${BASE_URL}/accounts/grants/`)
    assert.isTrue(await isSignedIn(browser))
    assert.isTrue((await EmailAddress.findByOrFail('email', account.email)).verified)
  })

  test('after three wrong codes the verification is dropped and the right code no longer works', async ({
    assert,
    cleanup,
  }) => {
    useAccountSettings(cleanup, codeSettings)
    const account = newAccount('code-drop')
    const browser = new Browser()
    await signUp(browser, account)
    const code = (await mailSink.nextMail(account.email)).code!
    let page = await browser.get(CONFIRM_EMAIL)
    for (let attempt = 1; attempt <= 2; attempt++) {
      page = await post(browser, page, CONFIRM_EMAIL, { code: 'ZZZZ-ZZZZ' })
      assert.include(pageText(page.body), 'Incorrect code.')
    }
    const form = readForm(page.body, `form[action="${CONFIRM_EMAIL}"]`)
    const dropped = await browser.submit(form, { code: 'ZZZZ-ZZZZ' })
    assert.equal(dropped.status, 303)
    assert.equal(dropped.location, `${BASE_URL}${LOGIN}`)
    const late = await browser.submit(form, { code })
    assert.equal(late.location, `${BASE_URL}${LOGIN}`)
    assert.isFalse(await isSignedIn(browser))
    assert.isFalse((await EmailAddress.findByOrFail('email', account.email)).verified)
  })

  test('a new code replaces the old one; asking again within 10 s gets 429', async ({
    assert,
    cleanup,
  }) => {
    useAccountSettings(cleanup, codeSettings)
    /* the default of code mode (the settings of this process were read in link mode) */
    useAccountRateLimits(cleanup, { confirm_email: '1/10s/key' })
    const account = newAccount('code-resend')
    const browser = new Browser()
    await signUp(browser, account)
    const first = (await mailSink.nextMail(account.email)).code!
    await new Promise((resolve) => setTimeout(resolve, 10_100))
    const page = await browser.get(CONFIRM_EMAIL)
    const resent = await browser.submit(readForm(page.body, 'form[id="resend"]'))
    assert.equal(
      resent.location,
      `${BASE_URL}${CONFIRM_EMAIL}`,
      `${resent.status} ${pageText(resent.body)}`
    )
    const second = (await mailSink.nextMail(account.email)).code!
    assert.notEqual(second, first)
    const limited = await browser.submit(readForm(page.body, 'form[id="resend"]'))
    assert.equal(limited.status, 429)
    assert.match(limited.headers.get('retry-after') ?? '', /^\d+$/)

    const old = await post(browser, page, CONFIRM_EMAIL, { code: first })
    assert.include(pageText(old.body), 'Incorrect code.')
    const right = await post(browser, page, CONFIRM_EMAIL, { code: second })
    assert.equal(right.status, 303)
    assert.isTrue(await isSignedIn(browser))
  }).timeout(30_000)

  test('a pretended sign-up shows the same code page, and no code passes it', async ({
    assert,
    cleanup,
  }) => {
    useAccountSettings(cleanup, codeSettings)
    const owner = await createUser()
    const browser = new Browser()
    const answer = await signUp(browser, { ...newAccount('pretend'), email: owner.email })
    assert.equal(answer.location, `${BASE_URL}${CONFIRM_EMAIL}`)
    const page = await browser.get(CONFIRM_EMAIL)
    assert.include(pageText(page.body), owner.email)
    assert.equal((await mailSink.nextMail(owner.email)).subject, `[${HOST}] Account Already Exists`)
    const wrong = await post(browser, page, CONFIRM_EMAIL, { code: 'BCDF-GHJK' })
    assert.include(pageText(wrong.body), 'Incorrect code.')
  })

  test('the confirm_email limit counts sends of one address', async ({ assert, cleanup }) => {
    useAccountSettings(cleanup, codeSettings)
    useAccountRateLimits(cleanup, { confirm_email: '1/m/key' })
    const person = await createUser()
    await EmailAddress.query().where('email', person.email).update({ verified: false })
    const first = await new Browser().signIn(person.email, person.password)
    assert.equal(first.location, `${BASE_URL}${CONFIRM_EMAIL}`)
    await mailSink.nextMail(person.email)
    const second = await new Browser().signIn(person.email, person.password)
    assert.equal(
      second.status,
      429,
      'code mode: the page waits for a code, so a limited send is refused'
    )
  })
})
