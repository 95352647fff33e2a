/**
 * Two-factor authentication in the admin console: ADMIN_REQUIRE_MFA keeps
 * staff with a password-only session out (the test env turns it off for the
 * other console tests, so each test here turns it on), and Reset Two-Factor
 * removes a user's factors as user:mfa-reset does, with its event.
 */
import { test } from '@japa/runner'
import AuditEvent from '#models/audit_event'
import MfaAuthenticator from '#models/mfa_authenticator'
import User from '#models/user'
import { pageText } from '#tests/helpers/accounts'
import { consoleForm, createStaff, signedInAs } from '#tests/helpers/admin'
import { Browser, readForm } from '#tests/helpers/browser'
import { createUser } from '#tests/helpers/factories'
import { awayFromStepEdge, giveTotp, signInWithCode, totpCode } from '#tests/helpers/mfa'
import { useMfaSettings } from '#tests/helpers/webauthn'

const REAUTHENTICATE = '/accounts/2fa/reauthenticate/'

test.group('Admin console: ADMIN_REQUIRE_MFA', () => {
  test('staff without a second factor are asked to set one up, and change nothing', async ({
    assert,
    cleanup,
  }) => {
    useMfaSettings(cleanup, { adminRequireMfa: true })
    const someone = await createUser()
    const browser = await signedInAs(await createStaff())
    for (const path of ['/admin/', '/admin/events/', `/admin/users/${someone.user.id}/`]) {
      const page = await browser.get(path)
      assert.equal(page.status, 403, path)
      assert.include(pageText(page.body), 'Two-Factor Authentication Required')
      assert.include(page.body, 'href="/accounts/2fa/"')
      assert.equal(page.headers.get('cache-control'), 'no-store')
    }
    const csrf = readForm(
      (await browser.get('/')).body,
      'form[action="/accounts/logout/"]'
    ).fields.find(([name]) => name === '_csrf')![1]
    const posted = await browser.post(`/admin/users/${someone.user.id}/`, {
      _csrf: csrf,
      action: 'deactivate',
    })
    assert.equal(posted.status, 403)
    assert.isTrue((await User.findOrFail(someone.user.id)).isActive)

    useMfaSettings(cleanup, { adminRequireMfa: false })
    assert.equal(
      (await browser.get('/admin/')).status,
      200,
      'with the setting off, a password does'
    )
  })

  test('non-staff still get the 404, not the two-factor page', async ({ assert, cleanup }) => {
    useMfaSettings(cleanup, { adminRequireMfa: true })
    const browser = await signedInAs(await createUser())
    const page = await browser.get('/admin/')
    assert.equal(page.status, 404)
    assert.notInclude(page.body, 'Two-Factor')
    assert.equal((await new Browser().get('/admin/events/')).status, 404)
  })

  test('staff with an authenticator app and a password-only session give a code, then come back', async ({
    assert,
    cleanup,
  }) => {
    useMfaSettings(cleanup, { adminRequireMfa: true })
    const staff = await createStaff()
    /* signed in before the factor existed: the session holds a password alone */
    const browser = await signedInAs(staff)
    const { secret } = await giveTotp(staff.user.id)
    const asked = await browser.get('/admin/users/?q=x')
    assert.equal(asked.status, 302)
    const location = new URL(asked.location!)
    assert.equal(location.pathname, REAUTHENTICATE)
    assert.equal(location.searchParams.get('next'), '/admin/users/?q=x')

    const form = await browser.get(location.pathname + location.search)
    await awayFromStepEdge()
    const confirmed = await browser.submit(
      readForm(form.body, `form[action="${REAUTHENTICATE}"]`),
      {
        code: totpCode(secret),
      }
    )
    assert.equal(confirmed.status, 303)
    assert.equal(
      new URL(confirmed.location!).pathname + new URL(confirmed.location!).search,
      '/admin/users/?q=x'
    )
    assert.equal((await browser.get('/admin/users/?q=x')).status, 200)
  })

  test('staff who signed in with password and code go straight in', async ({ assert, cleanup }) => {
    useMfaSettings(cleanup, { adminRequireMfa: true })
    const staff = await createStaff()
    const { secret } = await giveTotp(staff.user.id)
    const browser = new Browser()
    await awayFromStepEdge()
    await signInWithCode(browser, staff.email, staff.password, totpCode(secret))
    assert.equal((await browser.get('/admin/')).status, 200)
    assert.equal((await browser.get('/admin/events/')).status, 200)
  })
})

test.group("Admin console: a user's second factors", () => {
  test('the user page lists the factors; Reset Two-Factor removes them and records who did it', async ({
    assert,
  }) => {
    const person = await createUser()
    await giveTotp(person.user.id)
    const staff = await createStaff()
    const browser = await signedInAs(staff)
    const userPage = `/admin/users/${person.user.id}/`
    const text = pageText((await browser.get(userPage)).body)
    assert.match(text, /Authenticator app \(TOTP\) \d{4}-\d\d-\d\d \d\d:\d\d/)
    assert.include(text, 'Recovery codes')
    assert.notInclude(text, 'No second factor.')

    const resetPath = `${userPage}mfa-reset/`
    const confirm = await browser.get(resetPath)
    assert.equal(confirm.status, 200)
    assert.include(pageText(confirm.body), 'Reset two-factor of')
    assert.lengthOf(
      await MfaAuthenticator.query().where('user_id', person.user.id),
      2,
      'asking changes nothing'
    )

    const done = await browser.submit(consoleForm(confirm, resetPath))
    assert.equal(done.status, 303)
    assert.equal(new URL(done.location!).pathname, userPage)
    assert.lengthOf(await MfaAuthenticator.query().where('user_id', person.user.id), 0)
    const after = pageText((await browser.follow(done)).body)
    assert.include(after, 'Reset two-factor authentication of')
    assert.include(after, 'No second factor.')

    const event = await AuditEvent.query()
      .where('type', 'admin.user_mfa_reset')
      .where('user_id', person.user.id)
      .firstOrFail()
    assert.equal(event.actor, `staff:${staff.user.id}`)
    assert.deepEqual(event.data, { removed: { totp: 1, recovery_codes: 1, webauthn: 0 } })

    /* the person signs in with the password alone again */
    const page = await new Browser().signIn(person.email, person.password)
    assert.equal(page.status, 303)
    assert.notInclude(page.location!, '/accounts/2fa/authenticate/')
  })
})
