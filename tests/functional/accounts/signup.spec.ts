import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import User from '#models/user'
import EmailAddress from '#models/email_address'
import { BASE_URL, Browser, readForm } from '#tests/helpers/browser'
import { createUser } from '#tests/helpers/factories'
import { mailSink, startSilentMailServer } from '#tests/helpers/mail_sink'
import { startApp } from '#tests/helpers/app_process'
import { newAccount, pageText, SIGNUP, signUp, uniqueEmail } from '#tests/helpers/accounts'

const HOST = new URL(BASE_URL).host

async function isSignedIn(browser: Browser) {
  return (await browser.get('/')).body.includes('Signed in as')
}

const userWithEmail = async (email: string) => {
  const address = await EmailAddress.findBy('email', email)
  return address ? User.find(address.userId) : null
}

test.group('Sign-up (ACCOUNT_EMAIL_VERIFICATION=optional)', () => {
  test('the form has the contract fields and links back to sign-in with next', async ({
    assert,
  }) => {
    const page = await new Browser().get(
      `${SIGNUP}?next=${encodeURIComponent('/accounts/grants/')}`
    )
    assert.equal(page.status, 200)
    assert.equal(page.headers.get('cache-control'), 'no-store')
    const form = readForm(page.body, `form[action="${SIGNUP}"]`)
    assert.deepEqual(
      form.fields.map(([name]) => name),
      ['_csrf', 'next', 'email', 'username', 'password1', 'password2']
    )
    assert.deepInclude(form.fields, ['next', '/accounts/grants/'])
    assert.include(page.body, 'href="/accounts/login/?next=%2Faccounts%2Fgrants%2F"')
  })

  test('signs the new user in, goes to next, and mails a link that confirms the address once', async ({
    assert,
  }) => {
    const account = newAccount()
    const browser = new Browser()
    const answer = await signUp(browser, account, { next: '/accounts/grants/' })
    assert.equal(answer.status, 303, pageText(answer.body).slice(0, 500))
    assert.equal(answer.location, `${BASE_URL}/accounts/grants/`)
    assert.isTrue(await isSignedIn(browser))
    const user = (await userWithEmail(account.email))!
    assert.equal(user.username, account.username)
    const address = (await EmailAddress.findBy('email', account.email))!
    assert.isFalse(address.verified)
    assert.isTrue(address.primary)

    const mail = await mailSink.nextMail(account.email)
    assert.equal(mail.subject, `[${HOST}] Please Confirm Your Email Address`)
    assert.include(mail.text, account.username)
    assert.lengthOf(mail.links, 1)
    const link = mail.links[0]
    assert.match(link, new RegExp(`^${BASE_URL}/accounts/confirm-email/[A-Za-z0-9_-]{43}/$`))

    /* GET names the address and its account, and confirms nothing */
    const visitor = new Browser()
    const confirmPage = await visitor.get(link)
    assert.equal(confirmPage.status, 200)
    assert.include(
      pageText(confirmPage.body),
      `${account.email} is an email address for the account ${account.username}`
    )
    await address.refresh()
    assert.isFalse(address.verified)

    const confirmed = await visitor.submit(
      readForm(confirmPage.body, `form[action="${new URL(link).pathname}"]`)
    )
    assert.equal(confirmed.status, 303)
    assert.equal(confirmed.location, `${BASE_URL}/accounts/login/`, 'anonymous: to the login page')
    await address.refresh()
    assert.isTrue(address.verified)

    /* used up: the page says so and has no form, and a replayed POST changes nothing */
    const again = await visitor.get(link)
    assert.include(pageText(again.body), 'This confirmation link is invalid')
    assert.notInclude(again.body, '<form')
    const replay = await visitor.submit(
      readForm(confirmPage.body, `form[action="${new URL(link).pathname}"]`)
    )
    assert.equal(replay.status, 200)
    assert.include(pageText(replay.body), 'This confirmation link is invalid')
  })

  test('a signed-in person who confirms goes to LOGIN_REDIRECT_URL', async ({ assert }) => {
    const account = newAccount()
    const browser = new Browser()
    await signUp(browser, account)
    const link = (await mailSink.nextMail(account.email)).links[0]
    const page = await browser.get(link)
    const confirmed = await browser.submit(
      readForm(page.body, `form[action="${new URL(link).pathname}"]`)
    )
    assert.equal(confirmed.location, `${BASE_URL}/`)
    assert.isTrue((await EmailAddress.findByOrFail('email', account.email)).verified)
  })

  test('an expired or unknown key shows the invalid page and confirms nothing', async ({
    assert,
  }) => {
    const account = newAccount()
    await signUp(new Browser(), account)
    const link = (await mailSink.nextMail(account.email)).links[0]
    const address = await EmailAddress.findByOrFail('email', account.email)
    await db
      .from('email_confirmations')
      .where('email_address_id', address.id)
      .update({ expires_at: '2000-01-01 00:00:00' })
    const browser = new Browser()
    for (const url of [link, `${BASE_URL}/accounts/confirm-email/not-a-key/`]) {
      const page = await browser.get(url)
      assert.equal(page.status, 200)
      assert.include(pageText(page.body), 'This confirmation link is invalid')
    }
    const token = readForm((await browser.get(SIGNUP)).body).fields.find(([n]) => n === '_csrf')![1]
    const posted = await browser.post(new URL(link).pathname, { _csrf: token })
    assert.include(pageText(posted.body), 'This confirmation link is invalid')
    await address.refresh()
    assert.isFalse(address.verified)
  })

  test('bad input shows the form again with each problem and creates nothing', async ({
    assert,
  }) => {
    const taken = await createUser()
    const cases: [Record<string, string>, string, string][] = [
      [
        { password1: 'x7#Qz', password2: 'x7#Qz' },
        'password1',
        'This password is too short. It must contain at least 6 characters.',
      ],
      [
        { password2: 'something-else-9' },
        'password2',
        'You must type the same password each time.',
      ],
      [
        { password1: 'password123', password2: 'password123' },
        'password1',
        'This password is too common.',
      ],
      [
        { password1: '80417362951', password2: '80417362951' },
        'password1',
        'This password is entirely numeric.',
      ],
      [{ email: 'not-an-address' }, 'email', 'Enter a valid email address.'],
      [{ username: 'has space' }, 'username', 'Enter a valid username.'],
      [
        { username: taken.user.username!.toUpperCase() },
        'username',
        'A user with that username already exists.',
      ],
      [
        { email: taken.email.toUpperCase() },
        'email',
        'A user is already registered with this email address.',
      ],
      [{ email: '' }, 'email', 'This field is required.'],
    ]
    for (const [values, field, message] of cases) {
      const account = newAccount('bad')
      const browser = new Browser()
      const page = await signUp(browser, account, { values })
      assert.equal(page.status, 200, JSON.stringify(values))
      assert.include(
        pageText(page.body),
        message,
        `${JSON.stringify(values)}: ${pageText(page.body)}`
      )
      assert.include(page.body, `id="${field}-error"`, field)
      assert.notInclude(page.body, account.password, 'the password is not echoed')
      assert.isFalse(await isSignedIn(browser))
      assert.isNull(await User.findBy('username', account.username), JSON.stringify(values))
    }
    assert.lengthOf(await mailSink.newMailsAfter(taken.email, 300), 0)
  })

  test('a password like the username or the email address is refused', async ({ assert }) => {
    const account = newAccount('similar')
    const page = await signUp(new Browser(), account, {
      values: { password1: `${account.username}1`, password2: `${account.username}1` },
    })
    assert.equal(page.status, 200)
    assert.include(pageText(page.body), 'The password is too similar to the username.')
  })

  test('a POST without the CSRF token gets 403 and creates nothing', async ({ assert }) => {
    const account = newAccount('csrf')
    const browser = new Browser()
    for (const csrf of [null, 'forged']) {
      const page = await signUp(browser, account, { values: { _csrf: csrf } })
      assert.equal(page.status, 403)
    }
    assert.isNull(await EmailAddress.findBy('email', account.email))
    assert.lengthOf(await mailSink.newMailsAfter(account.email, 300), 0)
  })

  test('a confirmation POST without the CSRF token gets 403 and confirms nothing', async ({
    assert,
  }) => {
    const account = newAccount('confirm-csrf')
    await signUp(new Browser(), account)
    const link = (await mailSink.nextMail(account.email)).links[0]
    const browser = new Browser()
    const page = await browser.get(link)
    const form = readForm(page.body, `form[action="${new URL(link).pathname}"]`)
    assert.equal((await browser.submit(form, { _csrf: null })).status, 403)
    assert.isFalse((await EmailAddress.findByOrFail('email', account.email)).verified)
    assert.equal((await browser.submit(form)).status, 303, 'the key still works')
  })

  test('a mail server that hangs does not hold the sign-up; the mail leaves once a server answers', async ({
    assert,
    cleanup,
  }) => {
    cleanup(() => mailSink.start())
    await mailSink.stop()
    const silent = await startSilentMailServer()
    cleanup(() => silent.stop())
    const account = newAccount('smtp-hangs')
    const browser = new Browser()
    const answer = await signUp(browser, account)
    assert.equal(answer.status, 303)
    assert.isTrue(await isSignedIn(browser))
    /* the delivery is still waiting for the server's greeting: the page did not wait for it */
    while (silent.waiting() === 0) await new Promise((resolve) => setTimeout(resolve, 20))
    assert.lengthOf(mailSink.mailsTo(account.email), 0)

    await silent.stop()
    await mailSink.start()
    const mail = await mailSink.nextMail(account.email, 30_000)
    assert.lengthOf(mail.links, 1)
  }).timeout(60_000)
})

test.group('Sign-up settings', (group) => {
  group.each.timeout(60_000)

  test('ACCOUNT_SIGNUP_OPEN=false: a closed page, no form, and a POST creates nothing', async ({
    assert,
    cleanup,
  }) => {
    const app = await startApp({ ACCOUNT_SIGNUP_OPEN: 'false' })
    cleanup(() => app.stop())
    const browser = new Browser(app.url)
    const page = await browser.get(SIGNUP)
    assert.equal(page.status, 200)
    assert.include(pageText(page.body), 'the sign up is currently closed')
    assert.notInclude(page.body, 'name="password1"')
    const login = await browser.get('/accounts/login/')
    assert.notInclude(login.body, 'href="/accounts/signup/')
    const token = readForm(login.body).fields.find(([name]) => name === '_csrf')![1]
    const email = uniqueEmail('closed')
    const posted = await browser.post(SIGNUP, {
      _csrf: token,
      email,
      username: 'closed_user',
      password1: 'Tundra-closed-1',
      password2: 'Tundra-closed-1',
    })
    assert.include(pageText(posted.body), 'the sign up is currently closed')
    assert.isNull(await EmailAddress.findBy('email', email))
  })

  test('every account and mail setting is known to the boot check', async ({ assert, cleanup }) => {
    const app = await startApp({
      SITE_NAME: 'Every Setting',
      ACCOUNT_EMAIL_VERIFICATION: 'optional',
      ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED: 'false',
      ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED: 'false',
      ACCOUNT_LOGIN_METHODS: 'email,username',
      ACCOUNT_SIGNUP_OPEN: 'true',
      ACCOUNT_PASSWORD_MIN_LENGTH: '8',
      ACCOUNT_REAUTHENTICATION_TIMEOUT: '300',
      ACCOUNT_PREVENT_ENUMERATION: 'true',
      ACCOUNT_RATE_LIMITS: '{"signup":"1000/m/ip"}',
      SMTP_USERNAME: 'sink',
      SMTP_PASSWORD: 'sink',
      SMTP_SECURE: 'false',
      DEFAULT_FROM_EMAIL: 'Identity <id@example.com>',
      MFA_SUPPORTED_TYPES: 'totp,recovery_codes,webauthn',
      MFA_RECOVERY_CODE_COUNT: '10',
      MFA_RECOVERY_CODE_DIGITS: '8',
      MFA_TOTP_ISSUER: 'Every Setting',
      MFA_TOTP_PERIOD: '30',
      MFA_TOTP_DIGITS: '6',
      MFA_TOTP_TOLERANCE: '1',
      MFA_PASSKEY_LOGIN_ENABLED: 'false',
      MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN: 'false',
    })
    cleanup(() => app.stop())
    const page = await signUp(new Browser(app.url), newAccount('settings'), {
      values: { password1: 'x7#Qzk9', password2: 'x7#Qzk9' },
    })
    assert.include(
      pageText(page.body),
      'This password is too short. It must contain at least 8 characters.'
    )
  })

  test('SITE_NAME names the login page and the mails', async ({ assert, cleanup }) => {
    const app = await startApp({ SITE_NAME: 'Example Identity' })
    cleanup(() => app.stop())
    const browser = new Browser(app.url)
    const login = await browser.get('/accounts/login/?next=%2Faccounts%2Fgrants%2F')
    assert.include(login.body, '<header class="site"><a href="/">Example Identity</a></header>')
    assert.include(login.body, '<title>Sign In · Example Identity</title>')
    assert.include(pageText(login.body), 'Example Identity')
    assert.include(login.body, 'href="/accounts/signup/?next=%2Faccounts%2Fgrants%2F"')
    assert.include(login.body, 'href="/accounts/password/reset/?next=%2Faccounts%2Fgrants%2F"')
    const account = newAccount('site-name')
    await signUp(browser, account)
    const mail = await mailSink.nextMail(account.email)
    assert.equal(mail.subject, '[Example Identity] Please Confirm Your Email Address')
    assert.isTrue(mail.text.startsWith('Hello from Example Identity!'))
    assert.include(mail.text, `Thank you for using Example Identity!\n${new URL(app.url).host}`)
    assert.isTrue(mail.links[0].startsWith(`${app.url}/accounts/confirm-email/`))
  })

  test('without SMTP_HOST each mail is written to the log with its link', async ({
    assert,
    cleanup,
  }) => {
    const app = await startApp({ SMTP_HOST: '', LOG_LEVEL: 'info' })
    cleanup(() => app.stop())
    const account = newAccount('console')
    assert.equal((await signUp(new Browser(app.url), account)).status, 303)
    const deadline = Date.now() + 5000
    while (!app.stdout().includes(account.email) && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 50))
    const line = app
      .stdout()
      .split('\n')
      .find((entry) => entry.includes(account.email))!
    const logged = JSON.parse(line)
    assert.equal(
      logged.mail.subject,
      `[${new URL(app.url).host}] Please Confirm Your Email Address`
    )
    assert.match(logged.msg, new RegExp(`\n${app.url}/accounts/confirm-email/[\\w-]+/\n`))
    assert.lengthOf(mailSink.mailsTo(account.email), 0)
  })

  test('the signup limit answers 429 with Retry-After on the page', async ({ assert, cleanup }) => {
    const app = await startApp({ ACCOUNT_RATE_LIMITS: '{"signup":"2/m/ip","login":"1000/m/ip"}' })
    cleanup(() => app.stop())
    const browser = new Browser(app.url)
    for (let attempt = 1; attempt <= 2; attempt++) {
      const page = await signUp(browser, newAccount('limited'), {
        values: { password2: 'mismatch-1' },
      })
      assert.equal(page.status, 200, `attempt ${attempt}`)
    }
    const account = newAccount('limited')
    const blocked = await signUp(browser, account)
    assert.equal(blocked.status, 429)
    assert.match(blocked.headers.get('retry-after') ?? '', /^\d+$/)
    assert.include(pageText(blocked.body), 'Too Many Requests')
    assert.isNull(await EmailAddress.findBy('email', account.email))
  })

  test('ACCOUNT_LOGIN_METHODS=email: no username field; an email is the only login', async ({
    assert,
    cleanup,
  }) => {
    const app = await startApp({ ACCOUNT_LOGIN_METHODS: 'email' })
    cleanup(() => app.stop())
    const browser = new Browser(app.url)
    const page = await browser.get(SIGNUP)
    assert.notInclude(page.body, 'name="username"')
    const login = await browser.get('/accounts/login/')
    assert.include(login.body, 'type="email" id="login"')
    const account = newAccount('email-only')
    assert.equal((await signUp(browser, account, { values: { username: null } })).status, 303)
    assert.isNull((await userWithEmail(account.email))!.username)

    const person = await createUser()
    const byUsername = await new Browser(app.url).signIn(person.user.username!, person.password)
    assert.equal(byUsername.status, 200, 'a username is not a login here')
    assert.equal((await new Browser(app.url).signIn(person.email, person.password)).status, 303)
  })
})
