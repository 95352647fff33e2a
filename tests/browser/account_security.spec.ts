import { test } from '@japa/runner'
import type { Page } from 'playwright-core'
import { openPage, screenshot, type ViewportName } from '#tests/helpers/chromium'
import { BASE_URL } from '#tests/helpers/browser'
import { createClient, createUser, type TestUser } from '#tests/helpers/factories'
import { authorizationUrl, discoverAs, oidc } from '#tests/helpers/relying_party'
import { mailSink } from '#tests/helpers/mail_sink'
import { goodPassword, useAccountSettings } from '#tests/helpers/accounts'

const RP = 'https://rp.example'
const SIZES: ViewportName[] = ['desktop', 'phone']

/** Nothing sticks out sideways: the page fits the screen's width */
async function assertFitsWidth(
  assert: { isAtMost: (a: number, b: number, m?: string) => void },
  page: Page
) {
  const width = await page.evaluate<number>('document.documentElement.scrollWidth')
  assert.isAtMost(width, page.viewportSize()!.width, 'no horizontal scrolling')
}

async function signIn(page: Page, person: TestUser, next = '/') {
  await page.goto(`/accounts/login/?next=${encodeURIComponent(next)}`)
  await page.getByLabel('Email or username').fill(person.email)
  await page.getByLabel('Password').fill(person.password)
  await page.getByRole('button', { name: 'Sign In' }).click()
  await page.waitForURL(`${BASE_URL}${next}`)
}

async function setNewPassword(page: Page, password: string, again = password) {
  await page.getByLabel('New Password', { exact: true }).fill(password)
  await page.getByLabel('New Password (again)').fill(again)
  await page.getByRole('button', { name: 'Change Password' }).click()
}

test.group('Password and session pages in Chromium', () => {
  test('password reset by link: the form, the mail, the new password ({$self})')
    .with(SIZES)
    .run(async ({ assert, cleanup }, size) => {
      const person = await createUser()
      const { page, log } = await openPage(cleanup, size)
      await page.goto('/accounts/login/')
      await page.getByRole('link', { name: 'Forgot your password?' }).click()
      await page.waitForURL(`${BASE_URL}/accounts/password/reset/`)
      await assertFitsWidth(assert, page)
      await screenshot(page, `reset-form-${size}`)
      await page.getByLabel('Email').fill(person.email)
      await page.getByRole('button', { name: 'Reset My Password' }).click()
      await page.waitForURL(`${BASE_URL}/accounts/password/reset/done/`)
      assert.include(await page.locator('main').innerText(), 'We have sent you an email.')
      await screenshot(page, `reset-sent-${size}`)

      const link = (await mailSink.nextMail(person.email)).links[0]
      await page.goto(link)
      await page.waitForURL(`${BASE_URL}/accounts/password/reset/key/*-set-password/`)
      await setNewPassword(page, 'short', 'other')
      await page.waitForSelector('#password1-error')
      assert.include(
        await page.locator('#password1-error').innerText(),
        'This password is too short.'
      )
      await assertFitsWidth(assert, page)
      await screenshot(page, `reset-set-password-errors-${size}`)
      await setNewPassword(page, goodPassword())
      await page.waitForURL(`${BASE_URL}/accounts/password/reset/key/done/`)
      assert.include(await page.locator('main').innerText(), 'Your password is now changed.')
      await screenshot(page, `reset-done-${size}`)

      await page.goto(link)
      assert.include(await page.locator('main').innerText(), 'The password reset link was invalid')
      await assertFitsWidth(assert, page)
      await screenshot(page, `reset-invalid-${size}`)
      assert.deepEqual(log.console, [])
    })

  test('password reset by code: the code page, then the new password ({$self})')
    .with(SIZES)
    .run(async ({ assert, cleanup }, size) => {
      useAccountSettings(cleanup, { passwordResetByCode: true })
      const person = await createUser()
      const { page } = await openPage(cleanup, size)
      await page.goto('/accounts/password/reset/')
      await page.getByLabel('Email').fill(person.email)
      await page.getByRole('button', { name: 'Reset My Password' }).click()
      await page.waitForURL(`${BASE_URL}/accounts/password/reset/confirm/`)
      const code = (await mailSink.nextMail(person.email)).code!
      await page.getByLabel('Code').fill('BBBB-BBBB')
      await page.getByRole('button', { name: 'Confirm' }).click()
      await page.waitForSelector('#code-error')
      await assertFitsWidth(assert, page)
      await screenshot(page, `reset-code-error-${size}`)
      await page.getByLabel('Code').fill(code)
      await page.getByRole('button', { name: 'Confirm' }).click()
      await page.waitForURL(`${BASE_URL}/accounts/password/reset/complete/`)
      await screenshot(page, `reset-complete-${size}`)
      await setNewPassword(page, goodPassword())
      await page.waitForURL(`${BASE_URL}/accounts/password/reset/done/`)
      assert.include(await page.locator('main').innerText(), 'Your password is now changed.')
    })

  test('password change, reauthentication and sessions ({$self})')
    .with(SIZES)
    .run(async ({ assert, cleanup }, size) => {
      const person = await createUser()
      const other = await openPage(cleanup, size)
      await signIn(other.page, person)
      const { page, log } = await openPage(cleanup, size)
      await signIn(page, person)
      await page.getByRole('link', { name: 'Sessions' }).click()
      await page.waitForURL(`${BASE_URL}/accounts/sessions/`)
      assert.lengthOf(await page.locator('.session').all(), 2)
      assert.include(
        await page.locator('.session', { hasText: 'Current' }).innerText(),
        '127.0.0.1'
      )
      await assertFitsWidth(assert, page)
      await screenshot(page, `sessions-${size}`)

      /* a stale session is asked for the password first, then comes back */
      useAccountSettings(cleanup, { reauthenticationTimeout: -1 })
      await page.getByRole('button', { name: 'Sign Out Other Sessions' }).click()
      await page.waitForURL(`${BASE_URL}/accounts/reauthenticate/?next=%2Faccounts%2Fsessions%2F`)
      await page.getByLabel('Password').fill('not it')
      await page.getByRole('button', { name: 'Confirm' }).click()
      await page.waitForSelector('#password-error')
      await assertFitsWidth(assert, page)
      await screenshot(page, `reauthenticate-error-${size}`)
      useAccountSettings(cleanup, { reauthenticationTimeout: 300 })
      await page.getByLabel('Password').fill(person.password)
      await page.getByRole('button', { name: 'Confirm' }).click()
      await page.waitForURL(`${BASE_URL}/accounts/sessions/`)
      await page.getByRole('button', { name: 'Sign Out Other Sessions' }).click()
      await page.waitForSelector('text=Signed out 1 other session.')
      assert.lengthOf(await page.locator('.session').all(), 1)
      await screenshot(page, `sessions-ended-${size}`)
      await other.page.goto('/')
      assert.include(await other.page.locator('main').innerText(), 'You are not signed in.')

      await page.goto('/')
      await page.getByRole('link', { name: 'Change password' }).click()
      await page.waitForURL(`${BASE_URL}/accounts/password/change/`)
      await page.getByLabel('Current Password').fill('not it')
      await setNewPassword(page, goodPassword())
      await page.waitForSelector('#oldpassword-error')
      await assertFitsWidth(assert, page)
      await screenshot(page, `password-change-error-${size}`)
      await page.getByLabel('Current Password').fill(person.password)
      await setNewPassword(page, goodPassword())
      await page.waitForSelector('text=Password successfully changed.')
      await screenshot(page, `password-changed-${size}`)
      assert.deepEqual(log.console, [])
    })

  test(
    'forgot password inside an OIDC flow: reset from the mail, sign in, consent, back at the relying party ({$self})'
  )
    .with(SIZES)
    .run(async ({ assert, cleanup }, size) => {
      const person = await createUser()
      const rp = await createClient({ name: 'Acme Notes', redirectUris: [`${RP}/callback`] })
      const config = await discoverAs(rp, 'post')
      const { url, secrets } = await authorizationUrl(config, `${RP}/callback`, 'openid email', {
        login_hint: person.email,
      })
      const { page } = await openPage(cleanup, size)
      await page.route(`${RP}/**`, (route) =>
        route.fulfill({
          contentType: 'text/html',
          body: '<!doctype html><title>RP</title><h1>Back at the RP</h1>',
        })
      )

      await page.goto(url)
      await page.waitForURL(`${BASE_URL}/accounts/login/?**`)
      assert.equal(await page.getByLabel('Email or username').inputValue(), person.email)
      await page.getByRole('link', { name: 'Forgot your password?' }).click()
      await page.waitForURL(`${BASE_URL}/accounts/password/reset/?next=**`)
      await page.getByLabel('Email').fill(person.email)
      await page.getByRole('button', { name: 'Reset My Password' }).click()
      await page.waitForURL(`${BASE_URL}/accounts/password/reset/done/`)

      const password = goodPassword()
      await page.goto((await mailSink.nextMail(person.email)).links[0])
      await setNewPassword(page, password)
      await page.waitForURL(`${BASE_URL}/accounts/password/reset/key/done/`)
      await page.getByRole('link', { name: 'Sign in' }).click()
      await page.waitForURL(`${BASE_URL}/accounts/login/?next=**`)
      await page.getByLabel('Email or username').fill(person.email)
      await page.getByLabel('Password').fill(password)
      await page.getByRole('button', { name: 'Sign In' }).click()
      await page.waitForSelector('h1:has-text("Authorize Acme Notes")')
      await screenshot(page, `reset-journey-consent-${size}`)
      await page.getByRole('button', { name: 'Authorize' }).click()
      await page.waitForURL(`${RP}/callback?**`)
      const tokens = await oidc.authorizationCodeGrant(config, new URL(page.url()), {
        pkceCodeVerifier: secrets.verifier,
        expectedState: secrets.state,
        expectedNonce: secrets.nonce,
      })
      assert.equal(tokens.claims()!.sub, String(person.user.id))
      assert.equal(tokens.claims()!.email, person.email)
    })
})
