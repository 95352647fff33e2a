import { test } from '@japa/runner'
import { Browser } from '#tests/helpers/browser'
import { createClient, createUser } from '#tests/helpers/factories'
import { AUTHENTICATE, giveTotp } from '#tests/helpers/mfa'
import MfaAuthenticator from '#models/mfa_authenticator'
import OidcClient from '#models/oidc_client'
import AuditEvent from '#models/audit_event'
import { runJson, runRefused } from '../commands/run_command.js'

test.group('user:mfa-reset', () => {
  test("removes the user's factors and the sign-ins waiting for one", async ({ assert }) => {
    const { user, email, password } = await createUser()
    await giveTotp(user.id)
    const waiting = new Browser()
    await waiting.signIn(email, password)

    const printed = await runJson(assert, 'user:mfa-reset', [email])
    assert.deepEqual(printed, {
      id: user.id,
      removed: { totp: 1, recovery_codes: 1, webauthn: 0 },
    })
    assert.isNull(await MfaAuthenticator.findBy('user_id', user.id))
    const event = await AuditEvent.query()
      .where('type', 'admin.user_mfa_reset')
      .where('user_id', user.id)
      .firstOrFail()
    assert.deepEqual(event.data, { removed: { totp: 1, recovery_codes: 1, webauthn: 0 } })
    assert.equal((await waiting.get(AUTHENTICATE)).status, 302)
    const signIn = await new Browser().signIn(email, password, '/accounts/grants/')
    assert.equal(new URL(signIn.location!).pathname, '/accounts/grants/')
  })

  test('an unknown login is refused with one line', async ({ assert }) => {
    assert.equal(
      await runRefused(assert, 'user:mfa-reset', ['nobody-here@example.com']),
      'no user "nobody-here@example.com"'
    )
  })
})

test.group('client:create --require-mfa, client:update', () => {
  test('the flag is set, shown and changed', async ({ assert }) => {
    const created = await runJson(assert, 'client:create', [
      '--name',
      'Strict RP',
      '--redirect-uris',
      'https://strict.example/cb',
      '--require-mfa',
    ])
    assert.isTrue(created.require_mfa)
    assert.isTrue((await OidcClient.findOrFail(created.id)).requireMfa)
    const updated = await runJson(assert, 'client:update', [created.id, '--no-require-mfa'])
    assert.isFalse(updated.require_mfa)
    assert.isFalse((await OidcClient.findOrFail(created.id)).requireMfa)
    const { id } = await createClient()
    assert.isFalse((await runJson(assert, 'client:show', [id])).require_mfa)
  })
})
