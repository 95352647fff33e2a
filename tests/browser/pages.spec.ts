import { test } from '@japa/runner'
import type { Page } from 'playwright-core'
import {
  assertFitsWidth,
  openPage,
  screenshot,
  titled,
  type ViewportName,
} from '#tests/helpers/chromium'
import { Browser } from '#tests/helpers/browser'
import { createClient, createUser, type TestUser } from '#tests/helpers/factories'
import { REDIRECT } from '#tests/helpers/endpoints'
import { authorizationUrl, discoverAs } from '#tests/helpers/relying_party'
import { signInDevice } from '#tests/helpers/device'

const SIZES: ViewportName[] = ['desktop', 'phone']

/** Signs in through the login page, in whatever language it is shown */
async function signIn(page: Page, person: TestUser, next = '/') {
  await page.goto(`/accounts/login/?next=${encodeURIComponent(next)}`)
  await page.locator('#login').fill(person.email)
  await page.locator('#password').fill(person.password)
  await page.locator('form[action="/accounts/login/"] button[type="submit"]').click()
  await page.waitForURL((url) => url.pathname !== '/accounts/login/')
}

/** The person consents to an application with a long name */
async function consentTo(page: Page, name: string) {
  const rp = await createClient({ name, redirectUris: [REDIRECT] })
  const { url } = await authorizationUrl(
    await discoverAs(rp, 'basic'),
    REDIRECT,
    'openid profile email'
  )
  await page.route('https://rp.example/**', (route) =>
    route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>RP</title>' })
  )
  await page.goto(url)
  await page.locator('button[value="grant"]').click()
  await page.waitForURL(`${REDIRECT}?**`)
}

/** The browser's session cookie, for a test Browser that acts as the device's person */
async function sameSession(page: Page) {
  const browser = new Browser()
  for (const cookie of await page.context().cookies())
    browser.cookies.set(cookie.name, cookie.value)
  return browser
}

test.group('Pages in Chromium at 1280x800 and 390x844', () => {
  test('grants page: consents in the consent wording and devices, each revocable ({$self})')
    .with(SIZES)
    .run(async ({ assert, cleanup }, size) => {
      const person = await createUser()
      const { page } = await openPage(cleanup, size)
      await signIn(page, person)
      await consentTo(page, 'Acme Notes for Teams and Very Long Organisation Names Incorporated')
      await signInDevice(await sameSession(page), 'Living Room TV', 'openid profile')

      await page.goto('/accounts/grants/')
      assert.equal(await page.title(), titled('Authorized Applications'))
      const main = await page.locator('main').innerText()
      for (const wording of [
        'View your user ID',
        'View your basic profile information',
        'View your email address',
      ])
        assert.include(main, wording)
      assert.include(main, 'Living Room TV')
      await assertFitsWidth(assert, page)
      await screenshot(page, `grants-${size}`)

      await page.getByRole('button', { name: 'Sign out the device of Living Room TV' }).click()
      await page.waitForSelector('text=No device is signed in with a code.')
      await page.getByRole('button', { name: /^Revoke access of Acme Notes/ }).click()
      await page.waitForSelector('text=You have not authorized any application.')
      await assertFitsWidth(assert, page)
      await screenshot(page, `grants-empty-${size}`)
    })

  test('sign-out confirmation: GET asks, the button signs out ({$self})')
    .with(SIZES)
    .run(async ({ assert, cleanup }, size) => {
      const person = await createUser()
      const { page } = await openPage(cleanup, size)
      await signIn(page, person)
      await page.goto('/accounts/logout/')
      assert.equal(await page.title(), titled('Sign Out'))
      assert.include(await page.locator('main').innerText(), 'Are you sure you want to sign out?')
      await assertFitsWidth(assert, page)
      await screenshot(page, `logout-confirm-${size}`)
      await page.getByRole('button', { name: 'Sign Out' }).click()
      await page.waitForURL('**/accounts/login/')
      await page.goto('/')
      assert.include(await page.locator('main').innerText(), 'You are not signed in.')
    })

  test('error pages lead with a sentence and a way back ({$self})')
    .with(SIZES)
    .run(async ({ assert, cleanup }, size) => {
      const { page } = await openPage(cleanup, size)
      await page.goto('/accounts/nowhere/')
      assert.equal(await page.locator('h1').innerText(), 'Page Not Found')
      assert.match(
        await page.locator('main p').first().innerText(),
        /^There is no page at this address\./
      )
      await assertFitsWidth(assert, page)
      await screenshot(page, `error-404-${size}`)

      await page.goto(
        '/identity/o/authorize?client_id=unknown-client&response_type=code&scope=openid'
      )
      assert.equal(await page.locator('h1').innerText(), 'Something Went Wrong')
      await assertFitsWidth(assert, page)
      await screenshot(page, `error-authorize-${size}`)
      await page.getByRole('link', { name: 'Back to your account' }).click()
      await page.waitForURL((url) => url.pathname === '/')
    })

  test('the login page, then consent, in German and French ({$self})')
    .with(SIZES)
    .run(async ({ assert, cleanup }, size) => {
      const person = await createUser()
      const rp = await createClient({ name: 'Acme', redirectUris: [REDIRECT] })
      const config = await discoverAs(rp, 'basic')
      /* the browser speaks German; the relying party asks for French */
      const { page } = await openPage(cleanup, size, 'de-DE')
      await page.goto('/accounts/login/')
      assert.equal(await page.title(), titled('Anmelden'))
      assert.equal(await page.locator('label[for="password"]').innerText(), 'Passwort')
      await assertFitsWidth(assert, page)
      await screenshot(page, `login-de-${size}`)

      const { url } = await authorizationUrl(config, REDIRECT, 'openid email', { ui_locales: 'fr' })
      await page.goto(url)
      assert.equal(await page.title(), titled('Connexion'))
      await page.locator('#login').fill(person.email)
      await page.locator('#password').fill(person.password)
      await page.getByRole('button', { name: 'Se connecter' }).click()
      await page.waitForSelector('h1:has-text("Autoriser Acme")')
      assert.include(await page.locator('main').innerText(), 'Voir votre adresse e-mail')
      await assertFitsWidth(assert, page)
      await screenshot(page, `consent-fr-${size}`)
    })
})
