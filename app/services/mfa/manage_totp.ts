/**
 * Turning TOTP on and off from the account pages (allauth's totp flows).
 * Activation creates the first recovery codes with it, in one transaction;
 * deactivation removes the recovery codes too when nothing else is left for
 * them to back up (allauth's delete_dangling_recovery_codes).
 */
import QRCode from 'qrcode'
import db from '@adonisjs/lucid/services/db'
import mfaConfig from '#config/mfa'
import EmailAddress from '#models/email_address'
import type User from '#models/user'
import {
  deleteAuthenticator,
  findAuthenticator,
  listAuthenticators,
} from '#services/mfa/authenticator_store'
import { ensureRecoveryCodes } from '#services/mfa/recovery_codes'
import { activateTotp, matchingStep, totpUri } from '#services/mfa/totp'

/** The account in the otpauth:// label: the primary address, else the username (allauth's user_display for TOTP) */
export async function totpAccountName(user: User): Promise<string> {
  const address = await EmailAddress.query()
    .where('user_id', user.id)
    .orderBy('primary', 'desc')
    .orderBy('id')
    .first()
  return address?.email ?? user.username ?? String(user.id)
}

/** What the activation page shows: the QR code (an SVG data URL) and the secret */
export async function activationPage(secret: string, account: string, siteName: string) {
  const uri = totpUri(secret, account, mfaConfig.totpIssuer ?? siteName)
  const svg = await QRCode.toString(uri, { type: 'svg', margin: 2, errorCorrectionLevel: 'M' })
  return { qrCode: `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`, secret }
}

export type TotpActivation =
  | { outcome: 'incorrect' }
  | { outcome: 'already_active' }
  | { outcome: 'activated'; firstRecoveryCodes: boolean }

/** Activates TOTP when `code` is a current code of `secret` */
export async function confirmTotpActivation(
  userId: number,
  secret: string,
  code: string
): Promise<TotpActivation> {
  const step = matchingStep(secret, code)
  if (step === null) return { outcome: 'incorrect' }
  if (await findAuthenticator(userId, 'totp')) return { outcome: 'already_active' }
  const hadRecoveryCodes = (await findAuthenticator(userId, 'recovery_codes')) !== null
  try {
    await db.transaction(async (trx) => {
      await activateTotp(userId, secret, step, trx)
      await ensureRecoveryCodes(userId, trx)
    })
  } catch (error) {
    /* another request activated it first: the unique index refused this one */
    if (await findAuthenticator(userId, 'totp')) return { outcome: 'already_active' }
    throw error
  }
  return {
    outcome: 'activated',
    firstRecoveryCodes: !hadRecoveryCodes && mfaConfig.supportedTypes.includes('recovery_codes'),
  }
}

/** Removes TOTP, and recovery codes left with nothing to back up; whether TOTP was active */
export async function deactivateTotp(userId: number): Promise<boolean> {
  const totp = await findAuthenticator(userId, 'totp')
  if (!totp) return false
  await deleteAuthenticator(totp)
  const rest = await listAuthenticators(userId)
  if (rest.every((authenticator) => authenticator.type === 'recovery_codes'))
    for (const authenticator of rest) await deleteAuthenticator(authenticator)
  return true
}
