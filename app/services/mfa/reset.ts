/**
 * An operator removes a user's second factors (user:mfa-reset), e.g. after
 * the person lost their phone and their recovery codes: every authenticator
 * goes, and any sign-in waiting for one of them is dropped, so that the next
 * sign-in takes the password alone.
 */
import db from '@adonisjs/lucid/services/db'
import MfaAuthenticator from '#models/mfa_authenticator'
import type { AuthenticatorType } from '#start/mfa_settings'

export type MfaReset = { removed: Record<AuthenticatorType, number> }

export async function resetMfa(userId: number): Promise<MfaReset> {
  return db.transaction(async (trx) => {
    const rows = await MfaAuthenticator.query({ client: trx }).where('user_id', userId)
    const removed: Record<AuthenticatorType, number> = { totp: 0, recovery_codes: 0, webauthn: 0 }
    for (const row of rows) removed[row.type] += 1
    await MfaAuthenticator.query({ client: trx }).where('user_id', userId).delete()
    await trx.from('mfa_sign_in_stages').where('user_id', userId).delete()
    return { removed }
  })
}
