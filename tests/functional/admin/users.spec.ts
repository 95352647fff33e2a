/**
 * Users in the admin console: found by login, address or name; their
 * addresses, sessions, consents and tokens shown (never token values); and
 * the actions that take access away, which reach the sessions and tokens.
 */
import { test } from '@japa/runner'
import { DateTime } from 'luxon'
import User from '#models/user'
import OidcToken from '#models/oidc_token'
import OidcConsent from '#models/oidc_consent'
import { pageText } from '#tests/helpers/accounts'
import { consoleForm, createStaff, signedInAs } from '#tests/helpers/admin'
import { isSignedIn, type Browser } from '#tests/helpers/browser'
import { mailSink } from '#tests/helpers/mail_sink'
import { createClient, createUser, tokenFields, type TestUser } from '#tests/helpers/factories'

const userPage = (person: TestUser) => `/admin/users/${person.user.id}/`

async function act(browser: Browser, person: TestUser, action: string) {
  const path = userPage(person)
  const answer = await browser.submit(consoleForm(await browser.get(path), path), { action })
  return { answer, page: await browser.follow(answer) }
}

async function liveTokens(userId: number) {
  return OidcToken.query().where('user_id', userId).whereNull('revoked_at')
}

test.group('Admin console: users', () => {
  test('the list finds people by part of their username, any address, or name', async ({
    assert,
  }) => {
    const tag = DateTime.utc().toMillis().toString(36)
    const person = await createUser({
      username: `quokka_${tag}`,
      email: `q.${tag}@island.example`,
      firstName: `Wally${tag}`,
    })
    const other = await createUser()
    const browser = await signedInAs(await createStaff())
    for (const query of [`QUOKKA_${tag}`, `q.${tag}@island`, `wally${tag}`]) {
      const page = await browser.get(`/admin/users/?q=${encodeURIComponent(query)}`)
      assert.include(page.body, userPage(person), query)
      assert.notInclude(page.body, userPage(other), query)
    }
  })

  test('the user page shows addresses, sessions, consents and live tokens without values', async ({
    assert,
  }) => {
    const person = await createUser()
    await signedInAs(person)
    const rp = await createClient({ name: 'Shown RP' })
    const token = await OidcToken.create(
      tokenFields(rp.id, person.user.id, { scopes: ['openid', 'profile'] })
    )
    await OidcConsent.create({
      userId: person.user.id,
      clientId: rp.id,
      scopes: ['openid', 'profile'],
      email: null,
      expiresAt: DateTime.utc().plus({ days: 1 }),
    })
    const browser = await signedInAs(await createStaff())
    const text = pageText((await browser.get(userPage(person))).body)
    assert.include(text, person.email)
    assert.include(text, 'Verified')
    assert.match(text, /Sessions Started Last seen IP address Browser \d{4}-/)
    assert.include(text, 'Shown RP')
    assert.include(text, 'Access token')
    assert.include(text, 'openid profile')
    assert.notInclude(text, token.hash)
  })

  test('deactivating signs the person out and stops their tokens; activating lets them back', async ({
    assert,
  }) => {
    const person = await createUser()
    const theirs = await signedInAs(person)
    const rp = await createClient()
    await OidcToken.create(tokenFields(rp.id, person.user.id))
    const browser = await signedInAs(await createStaff())

    const { answer, page } = await act(browser, person, 'deactivate')
    assert.equal(answer.status, 303)
    assert.include(pageText(page.body), 'Deactivated')
    assert.isFalse((await User.findOrFail(person.user.id)).isActive)
    assert.isFalse(await isSignedIn(theirs))

    await act(browser, person, 'activate')
    assert.isTrue((await User.findOrFail(person.user.id)).isActive)
    assert.isTrue(await isSignedIn(await signedInAs(person)))
  })

  test('staff cannot deactivate themselves from the console', async ({ assert }) => {
    const staff = await createStaff()
    const browser = await signedInAs(staff)
    const page = await browser.get(userPage(staff))
    assert.notInclude(page.body, 'value="deactivate"')
    const { page: after } = await act(browser, staff, 'deactivate')
    assert.include(pageText(after.body), 'You cannot deactivate yourself.')
    assert.isTrue((await User.findOrFail(staff.user.id)).isActive)
  })

  test('sign out everywhere ends every session and revokes every token', async ({ assert }) => {
    const person = await createUser()
    const laptop = await signedInAs(person)
    const phone = await signedInAs(person)
    const [one, two] = [await createClient(), await createClient()]
    await OidcToken.create(tokenFields(one.id, person.user.id))
    await OidcToken.create(tokenFields(two.id, person.user.id, { type: 'rt' }))
    const browser = await signedInAs(await createStaff())

    const { page } = await act(browser, person, 'sign_out')
    assert.include(pageText(page.body), '2 session(s) ended, every token revoked.')
    assert.isFalse(await isSignedIn(laptop))
    assert.isFalse(await isSignedIn(phone))
    assert.lengthOf(await liveTokens(person.user.id), 0)
    assert.isTrue((await User.findOrFail(person.user.id)).isActive, 'still active')
  })

  test('revoking all tokens leaves the sessions', async ({ assert }) => {
    const person = await createUser()
    const theirs = await signedInAs(person)
    const rp = await createClient()
    await OidcToken.create(tokenFields(rp.id, person.user.id))
    const browser = await signedInAs(await createStaff())
    await act(browser, person, 'revoke_tokens')
    assert.lengthOf(await liveTokens(person.user.id), 0)
    assert.isTrue(await isSignedIn(theirs))
  })

  test("a token id of another user's is not revoked from this user's page", async ({ assert }) => {
    const [person, other] = [await createUser(), await createUser()]
    const rp = await createClient()
    const theirs = await OidcToken.create(tokenFields(rp.id, other.user.id))
    const browser = await signedInAs(await createStaff())
    const path = userPage(person)
    await browser.submit(consoleForm(await browser.get(path), path), {
      action: 'revoke_token',
      token_id: String(theirs.id),
    })
    assert.isNull((await OidcToken.findOrFail(theirs.id)).revokedAt)
  })

  test('a password reset link is mailed to the person, as user:send-reset sends it', async ({
    assert,
  }) => {
    const person = await createUser()
    const browser = await signedInAs(await createStaff())
    const { page } = await act(browser, person, 'send_reset')
    assert.include(pageText(page.body), `Sent a password reset link to ${person.email}.`)
    const mail = await mailSink.nextMail(person.email)
    assert.match(mail.links[0], /\/accounts\/password\/reset\/key\//)
  })

  test('an unknown user id is the 404 page', async ({ assert }) => {
    const browser = await signedInAs(await createStaff())
    assert.equal((await browser.get('/admin/users/2147483000/')).status, 404)
    assert.equal((await browser.get('/admin/users/abc/')).status, 404)
  })
})
