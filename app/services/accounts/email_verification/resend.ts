import EmailAddress from '#models/email_address'
import User from '#models/user'
import { loginName } from '#services/accounts/credentials'
import type { MailSite } from '#services/accounts/mail/compose'
import type { PendingVerification } from '#services/accounts/email_verification/pending'
import {
  allowVerificationSend,
  sendVerification,
} from '#services/accounts/email_verification/verification_mail'

/**
 * "Send a new code" on the code page: a new code replaces the pending one.
 * A pretended verification only counts against the limit, as a real one
 * would, and mails nothing. Returns the confirmation to check codes against.
 */
export async function resendVerification(
  pending: PendingVerification,
  site: MailSite,
  ip: string
): Promise<number | null> {
  const address = pending.userId
    ? await EmailAddress.query()
        .where('user_id', pending.userId)
        .where('email', pending.email)
        .where('verified', false)
        .first()
    : null
  const user = address ? await User.find(address.userId) : null
  if (!address || !user) {
    await allowVerificationSend(pending.email, ip)
    return pending.confirmationId
  }
  const sent = await sendVerification(address, await loginName(user), site, ip)
  return sent.confirmationId ?? pending.confirmationId
}
