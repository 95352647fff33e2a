import { test } from '@japa/runner'
import { openPage, screenshot, titled } from '#tests/helpers/chromium'
import { BASE_URL } from '#tests/helpers/browser'
import { createUser } from '#tests/helpers/factories'

test.group('Login page in Chromium', () => {
  test('a person signs in and lands on the account page', async ({ assert, cleanup }) => {
    const { email, password, user } = await createUser()
    const { page } = await openPage(cleanup)
    await page.goto('/accounts/login/?next=/')
    assert.equal(await page.title(), titled('Sign In'))
    await screenshot(page, 'login-empty')

    await page.getByLabel('Email or username').fill(email)
    await page.getByLabel('Password').fill(password)
    await page.getByRole('button', { name: 'Sign In' }).click()
    await page.waitForURL(`${BASE_URL}/`)

    assert.include(await page.locator('main').innerText(), `Signed in as ${user.username}`)
    await screenshot(page, 'home-signed-in')
  })

  test('a wrong password shows the error and keeps the login', async ({ assert, cleanup }) => {
    const { email } = await createUser()
    const { page } = await openPage(cleanup)
    await page.goto('/accounts/login/?next=/')
    await page.getByLabel('Email or username').fill(email)
    await page.getByLabel('Password').fill('not-the-password')
    await page.getByRole('button', { name: 'Sign In' }).click()
    await page.waitForLoadState()

    assert.equal(
      await page.getByRole('alert').innerText(),
      'The login and/or password you specified are not correct.'
    )
    assert.equal(await page.getByLabel('Email or username').inputValue(), email)
    assert.equal(await page.getByLabel('Password').inputValue(), '')
    assert.equal(
      await page.locator('#password:focus').count(),
      1,
      'the cursor waits in the password field'
    )
    await screenshot(page, 'login-error')
    await page.goto('/')
    assert.include(await page.locator('main').innerText(), 'You are not signed in.')
  })

  test('the CSP lets the stylesheet load and nothing else from elsewhere', async ({
    assert,
    cleanup,
  }) => {
    const { page, log } = await openPage(cleanup)
    const stylesheet = page.waitForResponse(`${BASE_URL}/static/app.css`)
    await page.goto('/accounts/login/')
    const response = await stylesheet
    assert.equal(response.status(), 200)
    assert.match(response.headers()['content-type'], /^text\/css/)

    /* app.css narrows <main> to 28rem: the stylesheet was applied, not only fetched (checked without running a script in the page) */
    const box = await page.locator('main').boundingBox()
    assert.equal(box?.width, 28 * 16)
    assert.deepEqual(log.console, [], 'no console messages (a CSP violation is reported there)')
    assert.isTrue(
      log.requests.every((url) => url.startsWith(`${BASE_URL}/`)),
      log.requests.join(' ')
    )
    assert.equal(await page.locator('script').count(), 0, 'the page needs no script')
  })
})
