/**
 * The admin console in Chromium, at 1280x800 and 390x844: a staff user adds
 * a confidential client and reads its secret from the page, and the real
 * endpoints then honour what the console did (client_credentials, a code
 * flow to the edited redirect URI, a rotated secret, revoked tokens). Others
 * never see a console page.
 */
import { test } from '@japa/runner'
import type { Assert } from '@japa/assert'
import type { Page } from 'playwright-core'
import OidcClient from '#models/oidc_client'
import { openPage, screenshot, type ViewportName } from '#tests/helpers/chromium'
import { BASE_URL, Browser } from '#tests/helpers/browser'
import { createClient, createUser, type TestUser } from '#tests/helpers/factories'
import { USERINFO } from '#tests/helpers/endpoints'
import { rawRequest } from '#tests/helpers/oauth_checks'
import { failure } from '#tests/helpers/tokens'
import {
  authorizationUrl,
  authorizeInBrowser,
  discoverAs,
  oidc,
  redeemCallback,
} from '#tests/helpers/relying_party'
import { consoleRoutes, createStaff } from '#tests/helpers/admin'

const SIZES: ViewportName[] = ['desktop', 'phone']

async function assertFitsWidth(assert: Assert, page: Page, name: string) {
  const width = await page.evaluate<number>('document.documentElement.scrollWidth')
  assert.isAtMost(width, page.viewportSize()!.width, `${name}: no horizontal scrolling`)
}

/** Checks the page fits, then keeps its screenshot */
async function look(assert: Assert, page: Page, name: string) {
  await assertFitsWidth(assert, page, name)
  await screenshot(page, name)
}

async function signIn(page: Page, person: TestUser, next: string) {
  await page.goto(`/accounts/login/?next=${encodeURIComponent(next)}`)
  await page.getByLabel('Email or username').fill(person.email)
  await page.getByLabel('Password').fill(person.password)
  await page.getByRole('button', { name: 'Sign In' }).click()
}

/** Errors the page logged; the site has no favicon, which Chromium asks for now and then */
function pageProblems(page: Page) {
  const problems: string[] = []
  page.on('console', (message) => {
    if (message.type() === 'error' && !message.location().url.endsWith('/favicon.ico'))
      problems.push(message.text())
  })
  page.on('pageerror', (error) => problems.push(error.message))
  return problems
}

/** A link of the console's navigation */
const nav = (page: Page, name: string) =>
  page.getByRole('navigation', { name: 'Admin console' }).getByRole('link', { name })

async function asRelyingParty(id: string, secret: string) {
  const client = await OidcClient.findOrFail(id)
  return discoverAs({ client, id, secret }, 'basic')
}

test.group('Admin console in Chromium', () => {
  test('a staff user manages a client and a user; the endpoints follow ({$self})')
    .with(SIZES)
    .run(async ({ assert, cleanup }, size) => {
      const staff = await createStaff()
      const person = await createUser()
      const { page } = await openPage(cleanup, size)
      const problems = pageProblems(page)

      await signIn(page, staff, '/admin/')
      await page.waitForURL(`${BASE_URL}/admin/`)
      await look(assert, page, `admin-home-${size}`)

      /* add a confidential client; the secret is on the page once */
      await nav(page, 'Clients').click()
      await page.waitForURL(`${BASE_URL}/admin/clients/`)
      await look(assert, page, `admin-clients-${size}`)
      await page.getByRole('link', { name: 'Add Client' }).click()
      await page.getByLabel('Name').fill(`Console Journey ${size}`)
      await page.getByLabel('Scopes', { exact: true }).fill('openid\nprofile\nemail')
      await page
        .getByLabel('Grant types')
        .fill('authorization_code\nrefresh_token\nclient_credentials')
      await page.getByLabel('Redirect URIs', { exact: true }).fill('https://rp.example/first')
      await look(assert, page, `admin-client-add-${size}`)
      await page.getByRole('button', { name: 'Add Client' }).click()
      await page.waitForSelector('#client-secret')
      const id = await page.locator('#client-id').innerText()
      const secret = await page.locator('#client-secret').innerText()
      await look(assert, page, `admin-client-secret-${size}`)

      const rp = await asRelyingParty(id, secret)
      const machine = await oidc.clientCredentialsGrant(rp, { scope: 'openid' })
      assert.equal(machine.token_type.toLowerCase(), 'bearer')
      assert.isString(machine.access_token)

      /* a new redirect URI: the code flow goes there, the old one is refused */
      await page.getByRole('link', { name: 'Go to the client' }).click()
      await page.waitForURL(`${BASE_URL}/admin/clients/**`)
      await look(assert, page, `admin-client-${size}`)
      await page.getByRole('link', { name: 'Edit' }).click()
      await page.getByLabel('Redirect URIs', { exact: true }).fill('https://rp.example/second')
      await look(assert, page, `admin-client-edit-${size}`)
      await page.getByRole('button', { name: 'Save' }).click()
      await page.waitForSelector('text=Saved client')
      const browser = new Browser()
      const first = await authorizationUrl(rp, 'https://rp.example/first', 'openid')
      const refused = await authorizeInBrowser(browser, first.url, person)
      assert.equal(refused.status, 400)
      assert.isNull(refused.location)
      const second = await authorizationUrl(rp, 'https://rp.example/second', 'openid')
      const leaving = await authorizeInBrowser(browser, second.url, person)
      assert.match(leaving.location!, /^https:\/\/rp\.example\/second\?/)
      const tokens = await redeemCallback(rp, new URL(leaving.location!), second.secrets)
      assert.equal(tokens.claims()!.sub, String(person.user.id))

      /* a new secret: the old one stops working at the token endpoint */
      await page.getByRole('link', { name: 'Rotate Secret' }).click()
      await look(assert, page, `admin-client-rotate-${size}`)
      await page.getByRole('button', { name: 'Rotate Secret' }).click()
      await page.waitForSelector('#client-secret')
      const rotated = await page.locator('#client-secret').innerText()
      assert.notEqual(rotated, secret)
      const stale = await failure(oidc.clientCredentialsGrant(rp, { scope: 'openid' }))
      assert.equal(stale.status, 401)
      assert.equal((stale.body as { error: string }).error, 'invalid_client')
      const fresh = await asRelyingParty(id, rotated)
      assert.isString((await oidc.clientCredentialsGrant(fresh, { scope: 'openid' })).access_token)

      /* the person's tokens, revoked from the console: userinfo refuses them */
      const bearer = { authorization: `Bearer ${tokens.access_token}` }
      assert.equal((await rawRequest('GET', USERINFO, undefined, bearer)).status, 200)
      await nav(page, 'Users').click()
      await page.getByLabel('Search by username, email or name').fill(person.email)
      await page.getByRole('button', { name: 'Search' }).click()
      await page.waitForURL(`${BASE_URL}/admin/users/?q=**`)
      await look(assert, page, `admin-users-${size}`)
      await page.getByRole('link', { name: person.user.username! }).click()
      await page.waitForSelector(`h1:has-text("${person.user.username}")`)
      assert.include(await page.locator('main').innerText(), `Console Journey ${size}`)
      await look(assert, page, `admin-user-${size}`)
      await page.getByRole('button', { name: 'Revoke All Tokens' }).click()
      await page.waitForSelector('text=Revoked every token')
      const revoked = await rawRequest('GET', USERINFO, undefined, bearer)
      assert.equal(revoked.status, 401)

      await nav(page, 'Signing keys').click()
      await page.waitForURL(`${BASE_URL}/admin/keys/`)
      await look(assert, page, `admin-keys-${size}`)

      /* the revocation above is an event of the person, naming the staff user */
      await nav(page, 'Events').click()
      await page.waitForURL(`${BASE_URL}/admin/events/`)
      await page.getByLabel('User (username, email address or user id)').fill(person.email)
      await page.getByRole('button', { name: 'Filter' }).click()
      await page.waitForURL(`${BASE_URL}/admin/events/?**`)
      const revocation = page.locator('#events tr', { hasText: 'admin.tokens_revoked' })
      assert.include(await revocation.innerText(), `staff:${staff.user.id}`)
      await look(assert, page, `admin-events-${size}`)

      /* deletion asks first */
      await page.goto(`/admin/clients/${encodeURIComponent(id)}/`)
      await page.getByRole('link', { name: 'Delete' }).click()
      await look(assert, page, `admin-client-delete-${size}`)
      await page.getByRole('button', { name: 'Yes, Delete' }).click()
      await page.waitForURL(`${BASE_URL}/admin/clients/`)
      assert.include(
        await page.locator('main').innerText(),
        `Deleted client Console Journey ${size}.`
      )
      assert.isNull(await OidcClient.find(id))
      assert.deepEqual(problems, [])
    })

  test('signed-out and non-staff visitors see the not-found page on every console page ({$self})')
    .with(SIZES)
    .run(async ({ assert, cleanup }, size) => {
      const rp = await createClient()
      const person = await createUser()
      const paths = consoleRoutes({ clientId: rp.id, userId: person.user.id })
        .filter(({ method }) => method === 'GET')
        .map(({ path }) => path)
      const { page } = await openPage(cleanup, size)
      for (const path of paths) {
        const response = await page.goto(path)
        assert.equal(response!.status(), 404, `signed out: ${path}`)
      }
      await screenshot(page, `admin-signed-out-${size}`)
      await signIn(page, person, '/')
      await page.waitForURL(`${BASE_URL}/`)
      for (const path of paths) {
        const response = await page.goto(path)
        assert.equal(response!.status(), 404, `not staff: ${path}`)
        assert.notInclude(await page.locator('body').innerText(), 'Admin')
      }
      await look(assert, page, `admin-not-staff-${size}`)
    })
})
