/**
 * Sending a verification: a new key (or code) for the address and the mail
 * that carries it, queued in one transaction. Each send counts against the
 * `confirm_email` limit of the address: in link mode a limited send is skipped
 * (the earlier link still works), in code mode it is refused with 429, since
 * the page waits for the new code (allauth does both).
 */
import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import accountsConfig from '#config/accounts'
import type EmailAddress from '#models/email_address'
import { composeMail, type MailSite } from '#services/accounts/mail/compose'
import { queueMail } from '#services/accounts/mail/outbox'
import {
  createConfirmationCode,
  createConfirmationKey,
} from '#services/accounts/email_verification/confirmations'
import { confirmEmailKeyPath } from '#services/accounts/paths'
import { hitRateLimit } from '#services/rate_limits/rate_limits'
import { TooManyRequests } from '#services/oidc/protocol/errors'

export type VerificationSent = {
  sent: boolean
  /** Code mode: the confirmation the code page checks against */
  confirmationId: number | null
}

/** Counts a send to `email`; false (link mode) or TooManyRequests (code mode) when over the limit */
export async function allowVerificationSend(email: string, ip: string) {
  try {
    await hitRateLimit('confirm_email', { ip, key: email })
    return true
  } catch (error) {
    if (error instanceof TooManyRequests && !accountsConfig.emailVerificationByCode) return false
    throw error
  }
}

/** Mails `address` a new confirmation link or code, naming the account that gave it */
export async function sendVerification(
  address: EmailAddress,
  accountName: string,
  site: MailSite,
  ip: string,
  trx?: TransactionClientContract
): Promise<VerificationSent> {
  if (!(await allowVerificationSend(address.email, ip)))
    return { sent: false, confirmationId: null }
  const write = async (client: TransactionClientContract) => {
    const data = { account: accountName, email: address.email, code: null as string | null }
    let confirmationId: number | null = null
    if (accountsConfig.emailVerificationByCode) {
      const created = await createConfirmationCode(address.id, client)
      confirmationId = created.id
      data.code = created.code
    } else {
      Object.assign(data, {
        confirmPath: confirmEmailKeyPath(await createConfirmationKey(address.id, client)),
      })
    }
    await queueMail(await composeMail('email_confirmation', address.email, site, data), client)
    return { sent: true, confirmationId }
  }
  return trx ? write(trx) : db.transaction(write)
}

/**
 * Sign-up with an address that already has an account, while enumeration is
 * prevented: the owner is told, the person signing up sees what a new
 * sign-up sees.
 */
export async function sendAccountExists(email: string, site: MailSite, ip: string) {
  if (!(await allowVerificationSend(email, ip))) return
  await queueMail(await composeMail('account_already_exists', email, site, { email }))
}
