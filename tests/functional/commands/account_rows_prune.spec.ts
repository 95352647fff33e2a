/**
 * tokens:prune also clears the account side: expired email confirmations
 * and password reset codes. Live rows stay.
 */
import { DateTime } from 'luxon'
import { test } from '@japa/runner'
import EmailAddress from '#models/email_address'
import EmailConfirmation from '#models/email_confirmation'
import PasswordResetCode from '#models/password_reset_code'
import { randomValue, sha256Hex } from '#services/oidc/protocol/random'
import { createUser } from '#tests/helpers/factories'
import { runJson } from './run_command.js'

const now = () => DateTime.utc()

test.group('tokens:prune, account rows', () => {
  test('deletes expired confirmations and reset codes, keeps live ones', async ({ assert }) => {
    const person = await createUser()
    const address = await EmailAddress.findByOrFail('email', person.email)
    const confirmation = (expiresAt: DateTime) =>
      EmailConfirmation.create({
        emailAddressId: address.id,
        keyDigest: sha256Hex(randomValue(16)),
        codeDigest: null,
        failedAttempts: 0,
        expiresAt,
      })
    const resetCode = (expiresAt: DateTime) =>
      PasswordResetCode.create({
        userId: person.user.id,
        codeDigest: sha256Hex(randomValue(16)),
        failedAttempts: 0,
        verifiedAt: null,
        expiresAt,
      })
    const doomedConfirmation = await confirmation(now().minus({ seconds: 5 }))
    const keptConfirmation = await confirmation(now().plus({ days: 3 }))
    const doomedCode = await resetCode(now().minus({ seconds: 5 }))
    const keptCode = await resetCode(now().plus({ minutes: 3 }))

    const counts = await runJson(assert, 'tokens:prune', [])
    assert.isAtLeast(counts.email_confirmations, 1)
    assert.isAtLeast(counts.password_reset_codes, 1)
    assert.notExists(await EmailConfirmation.find(doomedConfirmation.id))
    assert.exists(await EmailConfirmation.find(keptConfirmation.id))
    assert.notExists(await PasswordResetCode.find(doomedCode.id))
    assert.exists(await PasswordResetCode.find(keptCode.id))
  })
})
