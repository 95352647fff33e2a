/**
 * `user:send-reset LOGIN`: an operator sends a person the reset mail the
 * reset page would send, as a link even in code mode (a code only works in
 * the browser that asked for it). The mail goes to the account's primary
 * address, else its first one; it is queued and delivered before the command
 * ends, so no app process needs to be running.
 */
import EmailAddress from '#models/email_address'
import { AccountInputError, findUser } from '#services/accounts/users'
import { mailSite } from '#services/accounts/mail/compose'
import { sendResetMail } from '#services/accounts/password_reset/request_reset'
import outboxDelivery from '#services/accounts/mail/delivery'

export type ResetSent = { user_id: number; email: string }

export async function sendResetByOperator(login: string, origin: string): Promise<ResetSent> {
  const user = await findUser(login)
  if (!user.isActive) throw new AccountInputError(`user ${user.id} is inactive`)
  const address = await EmailAddress.query()
    .where('user_id', user.id)
    .orderBy('primary', 'desc')
    .orderBy('id')
    .first()
  if (!address) throw new AccountInputError(`user ${user.id} has no email address`)
  await sendResetMail(user, address.email, mailSite(origin), false)
  /* attempts start without being waited for: wait for them, or the command could end first */
  await outboxDelivery.deliverDue()
  await outboxDelivery.settle()
  return { user_id: user.id, email: address.email }
}
