import { test } from '@japa/runner'
import type { Page } from 'playwright-core'
import EmailAddress from '#models/email_address'
import {
  assertFitsWidth,
  openPage,
  screenshot,
  titled,
  type ViewportName,
} from '#tests/helpers/chromium'
import { BASE_URL } from '#tests/helpers/browser'
import { createClient, createUser } from '#tests/helpers/factories'
import { authorizationUrl, discoverAs, oidc } from '#tests/helpers/relying_party'
import { mailSink } from '#tests/helpers/mail_sink'
import {
  newAccount,
  uniqueEmail,
  useAccountSettings,
  type NewAccount,
} from '#tests/helpers/accounts'

const RP = 'https://rp.example'
const SIZES: ViewportName[] = ['desktop', 'phone']

async function fillSignup(page: Page, account: NewAccount, repeat = account.password) {
  await page.getByLabel('Email', { exact: true }).fill(account.email)
  await page.getByLabel('Username', { exact: true }).fill(account.username)
  await page.getByLabel('Password', { exact: true }).fill(account.password)
  await page.getByLabel('Password (again)').fill(repeat)
  await page.getByRole('button', { name: 'Sign Up' }).click()
}

test.group('Account pages in Chromium', () => {
  test('login page: site name, sign-up and forgot-password links ({$self})')
    .with(SIZES)
    .run(async ({ assert, cleanup }, size) => {
      const { page } = await openPage(cleanup, size)
      await page.goto('/accounts/login/?next=/accounts/grants/')
      assert.equal(await page.locator('header.site').innerText(), new URL(BASE_URL).host)
      assert.equal(
        await page.getByRole('link', { name: 'Sign up' }).getAttribute('href'),
        '/accounts/signup/?next=%2Faccounts%2Fgrants%2F'
      )
      assert.equal(
        await page.getByRole('link', { name: 'Forgot your password?' }).getAttribute('href'),
        '/accounts/password/reset/?next=%2Faccounts%2Fgrants%2F'
      )
      await assertFitsWidth(assert, page)
      await screenshot(page, `login-links-${size}`)
    })

  test('sign-up: errors beside their fields, then signed in ({$self})')
    .with(SIZES)
    .run(async ({ assert, cleanup }, size) => {
      const account = newAccount(`chromium-${size}`)
      const { page, log } = await openPage(cleanup, size)
      await page.goto('/accounts/login/')
      await page.getByRole('link', { name: 'Sign up' }).click()
      await page.waitForURL(`${BASE_URL}/accounts/signup/**`)
      assert.equal(await page.title(), titled('Sign Up'))
      await screenshot(page, `signup-empty-${size}`)

      await fillSignup(page, { ...account, password: 'password' }, 'passw0rd')
      await page.waitForSelector('#password1-error')
      assert.include(
        await page.locator('#password1-error').innerText(),
        'This password is too common.'
      )
      assert.include(
        await page.locator('#password2-error').innerText(),
        'You must type the same password each time.'
      )
      assert.equal(await page.getByLabel('Email').inputValue(), account.email)
      assert.equal(
        await page.getByLabel('Password', { exact: true }).getAttribute('aria-invalid'),
        'true'
      )
      await assertFitsWidth(assert, page)
      await screenshot(page, `signup-errors-${size}`)

      await fillSignup(page, account)
      await page.waitForURL(`${BASE_URL}/`)
      assert.include(await page.locator('main').innerText(), `Signed in as ${account.username}`)
      assert.deepEqual(log.console, [])
    })

  test('verification: the mailed link opens the confirm page, which confirms ({$self})')
    .with(SIZES)
    .run(async ({ assert, cleanup }, size) => {
      useAccountSettings(cleanup, { emailVerification: 'mandatory' })
      const account = newAccount(`verify-${size}`)
      const { page } = await openPage(cleanup, size)
      await page.goto('/accounts/signup/')
      await fillSignup(page, account)
      await page.waitForURL(`${BASE_URL}/accounts/confirm-email/`)
      assert.include(
        await page.locator('main').innerText(),
        `We have sent an email to ${account.email}`
      )
      await screenshot(page, `verification-sent-${size}`)

      const link = (await mailSink.nextMail(account.email)).links[0]
      await page.goto(link)
      assert.include(
        await page.locator('main').innerText(),
        `${account.email} is an email address for the account ${account.username}`
      )
      await assertFitsWidth(assert, page)
      await screenshot(page, `confirm-email-${size}`)
      await page.getByRole('button', { name: 'Confirm' }).click()
      await page.waitForURL(`${BASE_URL}/accounts/login/`)
      assert.include(await page.locator('main').innerText(), `You have confirmed ${account.email}.`)
      await screenshot(page, `confirmed-login-${size}`)

      await page.goto(link)
      assert.include(await page.locator('main').innerText(), 'This confirmation link is invalid')
      await screenshot(page, `confirm-email-invalid-${size}`)
    })

  test('verification by code: the code page takes the mailed code ({$self})')
    .with(SIZES)
    .run(async ({ assert, cleanup }, size) => {
      useAccountSettings(cleanup, { emailVerification: 'mandatory', emailVerificationByCode: true })
      const account = newAccount(`code-${size}`)
      const { page } = await openPage(cleanup, size)
      await page.goto('/accounts/signup/')
      await fillSignup(page, account)
      await page.waitForURL(`${BASE_URL}/accounts/confirm-email/`)
      const code = (await mailSink.nextMail(account.email)).code!
      await page.getByLabel('Code').fill('BBBB-BBBB')
      await page.getByRole('button', { name: 'Confirm' }).click()
      await page.waitForSelector('#code-error')
      assert.include(await page.locator('#code-error').innerText(), 'Incorrect code.')
      await assertFitsWidth(assert, page)
      await screenshot(page, `confirm-code-error-${size}`)
      await page.getByLabel('Code').fill(code.toLowerCase())
      await page.getByRole('button', { name: 'Confirm' }).click()
      await page.waitForURL(`${BASE_URL}/`)
      assert.include(await page.locator('main').innerText(), `Signed in as ${account.username}`)
    })

  test('email addresses: add, see Unverified, make primary refused, remove ({$self})')
    .with(SIZES)
    .run(async ({ assert, cleanup }, size) => {
      const person = await createUser()
      await EmailAddress.create({
        userId: person.user.id,
        email: uniqueEmail('very-long-secondary-address-for-narrow-screens'),
        verified: true,
        primary: false,
      })
      const { page, log } = await openPage(cleanup, size)
      await page.goto('/accounts/login/?next=/accounts/email/')
      await page.getByLabel('Email or username').fill(person.email)
      await page.getByLabel('Password').fill(person.password)
      await page.getByRole('button', { name: 'Sign In' }).click()
      await page.waitForURL(`${BASE_URL}/accounts/email/`)

      const added = uniqueEmail(`added-${size}`)
      await page.getByLabel('Email', { exact: true }).fill(added)
      await page.getByRole('button', { name: 'Add Email' }).click()
      await page.waitForSelector(`text=Confirmation email sent to ${added}.`)
      const row = page.locator('.addresses label', { hasText: added })
      assert.include(await row.innerText(), 'Unverified')
      await assertFitsWidth(assert, page)
      await screenshot(page, `email-added-${size}`)

      await row.getByRole('radio').check()
      await page.getByRole('button', { name: 'Make Primary' }).click()
      await page.waitForSelector('text=Your primary email address must be verified.')
      await page.locator('.addresses label', { hasText: added }).getByRole('radio').check()
      await page.getByRole('button', { name: 'Remove' }).click()
      await page.waitForSelector(`text=Removed email address ${added}.`)
      await screenshot(page, `email-removed-${size}`)
      assert.lengthOf(await mailSink.nextMail(added).then((mail) => mail.links), 1)
      assert.deepEqual(log.console, [])
    })

  test(
    'a new person from a relying party: sign up, confirm from the mail, consent, back with email_verified ({$self})'
  )
    .with(SIZES)
    .run(async ({ assert, cleanup }, size) => {
      useAccountSettings(cleanup, { emailVerification: 'mandatory' })
      const rp = await createClient({ name: 'Acme Notes', redirectUris: [`${RP}/callback`] })
      const config = await discoverAs(rp, 'post')
      const { url, secrets } = await authorizationUrl(config, `${RP}/callback`, 'openid email')
      const account = newAccount(`journey-${size}`)
      const { page } = await openPage(cleanup, size)
      await page.route(`${RP}/**`, (route) =>
        route.fulfill({
          contentType: 'text/html',
          body: '<!doctype html><title>RP</title><h1>Back at the RP</h1>',
        })
      )

      await page.goto(url)
      await page.getByRole('link', { name: 'Sign up' }).click()
      await page.waitForURL(`${BASE_URL}/accounts/signup/**`)
      await fillSignup(page, account)
      await page.waitForURL(`${BASE_URL}/accounts/confirm-email/`)
      const link = (await mailSink.nextMail(account.email)).links[0]
      await page.goto(link)
      await page.getByRole('button', { name: 'Confirm' }).click()
      await page.waitForURL(`${BASE_URL}/accounts/login/?next=**`)
      await page.getByLabel('Email or username').fill(account.email)
      await page.getByLabel('Password').fill(account.password)
      await page.getByRole('button', { name: 'Sign In' }).click()
      await page.waitForSelector('h1:has-text("Authorize Acme Notes")')
      await screenshot(page, `journey-consent-${size}`)
      await page.getByRole('button', { name: 'Authorize' }).click()
      await page.waitForURL(`${RP}/callback?**`)
      const tokens = await oidc.authorizationCodeGrant(config, new URL(page.url()), {
        pkceCodeVerifier: secrets.verifier,
        expectedState: secrets.state,
        expectedNonce: secrets.nonce,
      })
      assert.equal(tokens.claims()!.email, account.email)
      assert.isTrue(tokens.claims()!.email_verified)
    })
})
