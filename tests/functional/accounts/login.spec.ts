import { test } from '@japa/runner'
import { Browser } from '#tests/helpers/browser'
import { createUser } from '#tests/helpers/factories'

test.group('Login page', () => {
  test('signs in with the email address and goes to next', async ({ assert }) => {
    const { email, password } = await createUser()
    const browser = new Browser()
    const page = await browser.signIn(email, password, '/accounts/grants/')
    assert.equal(page.status, 303, page.body.slice(0, 1500))
    assert.equal(new URL(page.location!).pathname, '/accounts/grants/')
    const home = await browser.get('/')
    assert.include(home.body, 'Signed in as')
  })
})
