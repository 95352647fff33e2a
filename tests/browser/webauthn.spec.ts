import { test } from '@japa/runner'
import type { Page } from 'playwright-core'
import { openPage, screenshot, type ViewportName } from '#tests/helpers/chromium'
import { startApp, type AppProcess } from '#tests/helpers/app_process'
import { createUser, type TestUser } from '#tests/helpers/factories'
import { createAllauthSource } from '#tests/helpers/allauth_source'
import { insertUser, randomBase } from '#tests/helpers/allauth_site'
import { selectRows } from '#database/statements'
import { runJson } from '../functional/commands/run_command.js'

/*
 * A second app process whose APP_URL is on `localhost`: Chromium refuses
 * WebAuthn for an IP address as RP id. Security keys offered, and the passkey
 * sign-in.
 */
let site: AppProcess
const SETTINGS = {
  MFA_SUPPORTED_TYPES: 'totp,recovery_codes,webauthn',
  MFA_PASSKEY_LOGIN_ENABLED: 'true',
}

type Cleanup = (handler: () => Promise<void>) => void

/**
 * A Chromium page with a virtual authenticator (Chrome DevTools Protocol
 * WebAuthn domain): a platform key that holds passkeys and verifies its user,
 * answering without a touch. `credentials` are put on it first (another
 * page's, to sign in elsewhere with the same key).
 */
async function pageWithKey(cleanup: Cleanup, viewport: ViewportName, credentials: object[] = []) {
  const { page, log } = await openPage(cleanup, viewport)
  const cdp = await page.context().newCDPSession(page)
  await cdp.send('WebAuthn.enable', { enableUI: false })
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  })
  for (const credential of credentials)
    await cdp.send('WebAuthn.addCredential', { authenticatorId, credential: credential as any })
  const stored = async () =>
    (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials
  return { page, log, stored }
}

async function signInWithPassword(page: Page, account: TestUser) {
  await page.goto(`${site.url}/accounts/login/`)
  await page.getByLabel('Email or username').fill(account.email)
  await page.getByLabel('Password').fill(account.password)
  await page.getByRole('button', { name: 'Sign In', exact: true }).click()
}

const keyRows = (userId: number) =>
  selectRows<{ id: number; data: string }>(
    "select id, data from mfa_authenticators where user_id = ? and type = 'webauthn'",
    [userId]
  )

/** Registers a passkey on the add page; the page lands on the recovery codes */
async function addPasskey(page: Page, name: string, shots: string | null) {
  await page.goto(`${site.url}/accounts/2fa/webauthn/add/`)
  if (shots) await screenshot(page, `webauthn-add-${shots}`)
  await page.getByLabel('Name').fill(name)
  await page.getByLabel('Passwordless').check()
  await page.getByRole('button', { name: 'Add', exact: true }).click()
  await page.waitForURL(`${site.url}/accounts/2fa/recovery-codes/`)
}

test.group('Security keys and passkeys in Chromium', (group) => {
  group.setup(async () => {
    site = await startApp(SETTINGS, { appHost: 'localhost' })
    return () => site.stop()
  })

  test('register a passkey, sign in with it as second factor and without password, remove it', async ({
    assert,
    cleanup,
  }) => {
    const account = await createUser()
    const first = await pageWithKey(cleanup, 'desktop')
    await signInWithPassword(first.page, account)
    await first.page.waitForURL(`${site.url}/`)

    await addPasskey(first.page, 'Laptop passkey', 'desktop')
    const [row] = await keyRows(account.user.id)
    const data = JSON.parse(row.data)
    assert.equal(data.name, 'Laptop passkey')
    assert.deepEqual(data.credential.clientExtensionResults, { credProps: { rk: true } })
    const [credential] = await first.stored()
    assert.equal(Buffer.from(credential.userHandle!, 'base64').toString(), String(account.user.id))
    assert.equal(credential.rpId, 'localhost')

    await first.page.goto(`${site.url}/accounts/2fa/webauthn/`)
    assert.include(await first.page.locator('main').innerText(), 'Laptop passkey')
    assert.include(await first.page.locator('main').innerText(), 'Passkey')
    await screenshot(first.page, 'webauthn-list-desktop')

    /* the second factor, in another browser holding the same key */
    const second = await pageWithKey(cleanup, 'desktop', [credential])
    await signInWithPassword(second.page, account)
    await second.page.waitForURL(`${site.url}/accounts/2fa/authenticate/`)
    await screenshot(second.page, 'webauthn-authenticate-desktop')
    await second.page.getByRole('button', { name: 'Use a security key' }).click()
    await second.page.waitForURL(`${site.url}/`)
    assert.include(await second.page.locator('main').innerText(), 'Signed in as')
    assert.deepEqual(second.log.console, [], 'no CSP violation or script error')
    assert.isTrue(second.log.requests.every((url) => url.startsWith(`${site.url}/`)))

    /* without password */
    const third = await pageWithKey(cleanup, 'desktop', [(await second.stored())[0]])
    await third.page.goto(`${site.url}/accounts/login/`)
    await screenshot(third.page, 'webauthn-login-desktop')
    await third.page.getByRole('button', { name: 'Sign in with a passkey' }).click()
    await third.page.waitForURL(`${site.url}/`)
    assert.include(await third.page.locator('main').innerText(), 'Signed in as')
    assert.deepEqual(third.log.console, [])
    assert.isAbove(JSON.parse((await keyRows(account.user.id))[0].data).sign_count, 0)

    /* removed (the sign-in is recent, so no reauthentication is asked) */
    await first.page.goto(`${site.url}/accounts/2fa/webauthn/`)
    await first.page.getByRole('link', { name: 'Remove' }).click()
    await screenshot(first.page, 'webauthn-remove-desktop')
    await first.page.getByRole('button', { name: 'Remove' }).click()
    await first.page.waitForURL(`${site.url}/accounts/2fa/webauthn/`)
    assert.include(
      await first.page.locator('main').innerText(),
      'No security keys have been added.'
    )
    assert.deepEqual(await keyRows(account.user.id), [])

    /* the key no longer signs in */
    const fourth = await pageWithKey(cleanup, 'desktop', [(await third.stored())[0]])
    await fourth.page.goto(`${site.url}/accounts/login/`)
    await fourth.page.getByRole('button', { name: 'Sign in with a passkey' }).click()
    await fourth.page.waitForURL(/\/accounts\/login\//)
    assert.include(await fourth.page.getByRole('alert').first().innerText(), 'Incorrect code.')
  }).timeout(90_000)

  test('a passkey registered at allauth (its mfa_authenticator row) signs in after allauth:import', async ({
    assert,
    cleanup,
  }) => {
    /* Chromium registers the passkey; its answer becomes an allauth row of a user who is not here yet */
    const account = await createUser()
    const registering = await pageWithKey(cleanup, 'desktop')
    await signInWithPassword(registering.page, account)
    await registering.page.waitForURL(`${site.url}/`)
    await addPasskey(registering.page, 'Phone', null)
    const [row] = await keyRows(account.user.id)
    const { credential } = JSON.parse(row.data)
    const [key] = await registering.stored()

    const source = await createAllauthSource('sqlite', { mfa: true })
    cleanup(() => source.drop())
    const userId = randomBase() + 1
    await insertUser(source, { id: userId, username: `allauth_${userId}`, password: '!' })
    await source.insert('mfa_authenticator', {
      id: userId,
      type: 'webauthn',
      data: { name: 'Phone', credential },
      user_id: userId,
      created_at: new Date(),
      last_used_at: null,
    })
    const report = await runJson(assert, 'allauth:import', [source.url])
    assert.equal(report.tables.mfa_authenticator.created, 1)

    /* the key's user handle names the allauth user id, as allauth's passkeys do */
    const moved = await pageWithKey(cleanup, 'desktop', [
      { ...key, userHandle: Buffer.from(String(userId)).toString('base64') },
    ])
    await moved.page.goto(`${site.url}/accounts/login/`)
    await moved.page.getByRole('button', { name: 'Sign in with a passkey' }).click()
    await moved.page.waitForURL(`${site.url}/`)
    assert.include(await moved.page.locator('main').innerText(), `Signed in as allauth_${userId}`)
  }).timeout(60_000)

  test('the pages on a phone', async ({ assert, cleanup }) => {
    const account = await createUser()
    const phone = await pageWithKey(cleanup, 'phone')
    await phone.page.goto(`${site.url}/accounts/login/`)
    await screenshot(phone.page, 'webauthn-login-phone')
    await signInWithPassword(phone.page, account)
    await phone.page.waitForURL(`${site.url}/`)
    await addPasskey(phone.page, 'A passkey with a rather long name for a small screen', 'phone')
    await phone.page.goto(`${site.url}/accounts/2fa/webauthn/`)
    await screenshot(phone.page, 'webauthn-list-phone')
    const [{ id }] = await keyRows(account.user.id)
    await phone.page.goto(`${site.url}/accounts/2fa/webauthn/keys/${id}/remove/`)
    await screenshot(phone.page, 'webauthn-remove-phone')

    const other = await pageWithKey(cleanup, 'phone', await phone.stored())
    await signInWithPassword(other.page, account)
    await other.page.waitForURL(`${site.url}/accounts/2fa/authenticate/`)
    await screenshot(other.page, 'webauthn-authenticate-phone')
    /* nothing wider than the screen */
    for (const box of [
      await other.page.locator('main').boundingBox(),
      await other.page.getByRole('button', { name: 'Use a security key' }).boundingBox(),
    ])
      assert.isAtMost(box!.x + box!.width, 390)
  }).timeout(60_000)
})
