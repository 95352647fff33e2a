import { test } from '@japa/runner'
import type { Page } from 'playwright-core'
import { openPage, screenshot, type ViewportName } from '#tests/helpers/chromium'
import { BASE_URL } from '#tests/helpers/browser'
import { createUser } from '#tests/helpers/factories'
import { awayFromStepEdge, totpCode } from '#tests/helpers/mfa'

const SIZES: ViewportName[] = ['desktop', 'phone']

async function signIn(page: Page, email: string, password: string) {
  await page.goto('/accounts/login/?next=/accounts/2fa/')
  await page.getByLabel('Email or username').fill(email)
  await page.getByLabel('Password', { exact: true }).fill(password)
  await page.getByRole('button', { name: 'Sign In' }).click()
}

async function assertFitsWidth(assert: { isAtMost: (a: number, b: number) => void }, page: Page) {
  const width = await page.evaluate<number>('document.documentElement.scrollWidth')
  assert.isAtMost(width, page.viewportSize()!.width)
}

test.group('Two-factor pages in Chromium', () => {
  test('activate TOTP from the QR page, see the codes, sign in with a code ({$self})')
    .with(SIZES)
    .run(async ({ assert, cleanup }, size) => {
      const { email, password } = await createUser()
      const { page } = await openPage(cleanup, size)
      await signIn(page, email, password)
      await page.waitForURL(`${BASE_URL}/accounts/2fa/`)
      await screenshot(page, `mfa-overview-empty-${size}`)

      await page.getByRole('link', { name: 'Activate' }).click()
      await page.waitForURL(`${BASE_URL}/accounts/2fa/totp/activate/`)
      const qr = page.locator('.qr img')
      assert.isAbove(
        await qr.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth),
        0
      )
      const secret = await page.locator('#authenticator_secret').inputValue()
      assert.isTrue(await page.locator('#authenticator_secret').isDisabled())
      await assertFitsWidth(assert, page)
      await screenshot(page, `mfa-totp-activate-${size}`)

      await page.getByLabel('Authenticator code').fill('000000')
      await page.getByRole('button', { name: 'Activate' }).click()
      await page.waitForSelector('#code-error')
      await screenshot(page, `mfa-totp-activate-error-${size}`)

      await awayFromStepEdge()
      await page.getByLabel('Authenticator code').fill(totpCode(secret, -1))
      await page.getByRole('button', { name: 'Activate' }).click()
      await page.waitForURL(`${BASE_URL}/accounts/2fa/recovery-codes/`)
      assert.equal(await page.locator('#recovery_codes li').count(), 10)
      await assertFitsWidth(assert, page)
      await screenshot(page, `mfa-recovery-codes-${size}`)

      await page.goto('/accounts/2fa/')
      await screenshot(page, `mfa-overview-active-${size}`)
      await page.goto('/accounts/2fa/recovery-codes/generate/')
      await screenshot(page, `mfa-recovery-codes-generate-${size}`)
      await page.goto('/accounts/2fa/totp/deactivate/')
      await screenshot(page, `mfa-totp-deactivate-${size}`)

      await page.goto('/')
      await page.getByRole('button', { name: 'Sign Out' }).click()
      await signIn(page, email, password)
      await page.waitForURL(`${BASE_URL}/accounts/2fa/authenticate/`)
      await assertFitsWidth(assert, page)
      await screenshot(page, `mfa-authenticate-${size}`)
      await page.getByLabel('Code').fill('123456')
      await page.getByRole('button', { name: 'Sign In' }).click()
      await page.waitForSelector('#code-error')
      assert.include(await page.locator('#code-error').innerText(), 'Incorrect code.')
      await screenshot(page, `mfa-authenticate-error-${size}`)
      await awayFromStepEdge()
      await page.getByLabel('Code').fill(totpCode(secret, 1))
      await page.getByRole('button', { name: 'Sign In' }).click()
      await page.waitForURL(`${BASE_URL}/accounts/2fa/`)
    })
})
