import { test } from '@japa/runner'
import type { Page } from 'playwright-core'
import { openPage, screenshot, titled } from '#tests/helpers/chromium'
import { DEVICE_GRANT, REDIRECT } from '#tests/helpers/endpoints'
import { createClient, createUser, type TestUser } from '#tests/helpers/factories'
import { authorizationUrl, discoverAs, oidc, redeemCallback } from '#tests/helpers/relying_party'

const RP = 'https://rp.example'

/** The RP lives outside this machine's network: its pages are answered in the browser */
async function serveRelyingParty(page: Page) {
  await page.route(`${RP}/**`, (route) =>
    route.fulfill({
      contentType: 'text/html',
      body: '<!doctype html><title>RP</title><h1>Back at the RP</h1>',
    })
  )
}

async function signIn(page: Page, person: TestUser) {
  await page.getByLabel('Email or username').fill(person.email)
  await page.getByLabel('Password').fill(person.password)
  await page.getByRole('button', { name: 'Sign In' }).click()
}

test.group('OIDC pages in Chromium', () => {
  test('a person signs in to a relying party through login and consent', async ({
    assert,
    cleanup,
  }) => {
    const person = await createUser()
    const rp = await createClient({ name: 'Acme Notes', redirectUris: [REDIRECT] })
    const config = await discoverAs(rp, 'basic')
    const { url, secrets } = await authorizationUrl(config, REDIRECT, 'openid profile email')
    const { page, log } = await openPage(cleanup)
    await serveRelyingParty(page)

    await page.goto(url)
    assert.equal(await page.title(), titled('Sign In'))
    await signIn(page, person)
    await page.waitForSelector('h1:has-text("Authorize Acme Notes")')
    assert.equal(await page.title(), titled('Authorize'))
    assert.equal(await page.getByRole('checkbox').count(), 3)
    await screenshot(page, 'consent')

    await page.getByLabel('View your basic profile information').uncheck()
    await page.getByRole('button', { name: 'Authorize' }).click()
    await page.waitForURL(`${REDIRECT}?**`)
    const tokens = await redeemCallback(config, new URL(page.url()), secrets)
    assert.equal(tokens.scope, 'openid email')
    assert.equal(tokens.claims()!.email, person.email)
    assert.deepEqual(log.console, [])
  })

  test('Cancel on the consent page returns access_denied to the relying party', async ({
    assert,
    cleanup,
  }) => {
    const person = await createUser()
    const rp = await createClient({ redirectUris: [REDIRECT] })
    const { url, secrets } = await authorizationUrl(
      await discoverAs(rp, 'post'),
      REDIRECT,
      'openid'
    )
    const { page } = await openPage(cleanup)
    await serveRelyingParty(page)
    await page.goto(url)
    await signIn(page, person)
    await page.getByRole('button', { name: 'Cancel' }).click()
    await page.waitForURL(`${REDIRECT}?**`)
    const callback = new URL(page.url())
    assert.equal(callback.searchParams.get('error'), 'access_denied')
    assert.equal(callback.searchParams.get('state'), secrets.state)
  })

  test('a person enters a device code, sees the request and confirms it', async ({
    assert,
    cleanup,
  }) => {
    const person = await createUser()
    const rp = await createClient({
      name: 'Living Room TV',
      type: 'public',
      grantTypes: [DEVICE_GRANT],
    })
    const config = await discoverAs(rp, 'none')
    const device = await oidc.initiateDeviceAuthorization(config, { scope: 'openid profile' })
    const { page } = await openPage(cleanup)

    await page.goto('/identity/o/device')
    await signIn(page, person)
    await page.waitForSelector('h1:has-text("Enter Device Code")')
    await screenshot(page, 'device-enter')
    await page.getByLabel('Code').fill('WRONG-CODE')
    await page.getByRole('button', { name: 'Continue' }).click()
    assert.equal(await page.getByRole('alert').innerText(), 'Incorrect code.')
    await screenshot(page, 'device-incorrect')

    await page.getByLabel('Code').fill(device.user_code.toLowerCase())
    await page.getByRole('button', { name: 'Continue' }).click()
    await page.waitForSelector('h1:has-text("Confirm Device")')
    assert.include(await page.locator('main').innerText(), 'Living Room TV')
    assert.include(await page.locator('main').innerText(), 'View your basic profile information')
    await screenshot(page, 'device-confirm')
    await page.getByRole('button', { name: 'Confirm' }).click()
    await page.waitForSelector('h1:has-text("Device Authorized")')
    await screenshot(page, 'device-authorized')

    const tokens = await oidc.pollDeviceAuthorizationGrant(config, device)
    assert.equal(tokens.claims()!.sub, String(person.user.id))
  })

  test('RP-initiated logout asks the person, then returns to the relying party', async ({
    assert,
    cleanup,
  }) => {
    const person = await createUser()
    const rp = await createClient({
      name: 'Acme Notes',
      redirectUris: [REDIRECT],
      postLogoutRedirectUris: [`${RP}/signed-out`],
      skipConsent: true,
    })
    const config = await discoverAs(rp, 'basic')
    const { url, secrets } = await authorizationUrl(config, REDIRECT, 'openid')
    const { page } = await openPage(cleanup)
    await serveRelyingParty(page)
    await page.goto(url)
    await signIn(page, person)
    await page.waitForURL(`${REDIRECT}?**`)
    const tokens = await redeemCallback(config, new URL(page.url()), secrets)

    await page.goto(
      oidc.buildEndSessionUrl(config, {
        id_token_hint: tokens.id_token!,
        post_logout_redirect_uri: `${RP}/signed-out`,
        state: 'bye',
      }).href
    )
    await page.waitForSelector('h1:has-text("Sign Out")')
    await screenshot(page, 'logout-ask')
    await page.getByRole('button', { name: 'Sign Out' }).click()
    await page.waitForURL(`${RP}/signed-out?state=bye`)
    await page.goto('/')
    assert.include(await page.locator('main').innerText(), 'You are not signed in.')
  })
})
