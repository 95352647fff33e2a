/**
 * The signed-in user's email addresses (docs/accounts.md, Email addresses):
 * add one (unverified, with a verification mail), send a new verification,
 * make a verified one primary, remove one that is not primary. Each returns
 * the message to show, or the problem.
 */
import db from '@adonisjs/lucid/services/db'
import accountsConfig from '#config/accounts'
import EmailAddress from '#models/email_address'
import type User from '#models/user'
import { loginName } from '#services/accounts/credentials'
import type { MailSite } from '#services/accounts/mail/compose'
import {
  sendAccountExists,
  sendVerification,
} from '#services/accounts/email_verification/verification_mail'
import { EMAIL_TAKEN } from '#services/accounts/signup/sign_up'
import { message, type Message } from '#services/i18n/message'

export type AddressChange =
  { done: Message; confirmationId?: number | null; email?: string } | { problem: Message }

export function listAddresses(userId: number) {
  return EmailAddress.query().where('user_id', userId).orderBy('primary', 'desc').orderBy('id')
}

const ownAddress = (userId: number, email: string) =>
  EmailAddress.query().where('user_id', userId).where('email', email).first()

const sentTo = (email: string) => message('accounts.email.sent', { email })

export async function addAddress(
  user: User,
  email: string,
  site: MailSite,
  ip: string
): Promise<AddressChange> {
  const existing = await EmailAddress.findBy('email', email)
  if (existing?.userId === user.id) return { problem: message('accounts.email.already_yours') }
  if (existing) {
    if (!accountsConfig.preventEnumeration || accountsConfig.emailVerification !== 'mandatory')
      return { problem: EMAIL_TAKEN }
    await sendAccountExists(email, site, ip)
    return { done: sentTo(email) }
  }
  const account = await loginName(user)
  const { confirmationId } = await db.transaction(async (trx) => {
    const address = await EmailAddress.create(
      { userId: user.id, email, verified: false, primary: false },
      { client: trx }
    )
    return sendVerification(address, account, site, ip, trx)
  })
  return { done: sentTo(email), confirmationId, email }
}

export async function resendAddressVerification(
  user: User,
  email: string,
  site: MailSite,
  ip: string
): Promise<AddressChange> {
  const address = await ownAddress(user.id, email)
  if (!address || address.verified) return { problem: message('accounts.email.already_verified') }
  const { confirmationId } = await sendVerification(address, await loginName(user), site, ip)
  return { done: sentTo(email), confirmationId, email }
}

export async function makePrimary(user: User, email: string): Promise<AddressChange> {
  const address = await ownAddress(user.id, email)
  if (!address) return { problem: message('accounts.email.select') }
  if (!address.verified) return { problem: message('accounts.email.primary_unverified') }
  await db.transaction(async (trx) => {
    await EmailAddress.query({ client: trx }).where('user_id', user.id).update({ primary: false })
    await EmailAddress.query({ client: trx }).where('id', address.id).update({ primary: true })
  })
  return { done: message('accounts.email.primary_set') }
}

export async function removeAddress(user: User, email: string): Promise<AddressChange> {
  const address = await ownAddress(user.id, email)
  if (!address) return { problem: message('accounts.email.select') }
  if (address.primary) return { problem: message('accounts.email.cannot_remove_primary') }
  await address.delete()
  return { done: message('accounts.email.removed', { email }) }
}
