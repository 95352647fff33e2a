/**
 * A password reset request (/accounts/password/reset/, `user:send-reset`):
 * the mail with a link (reset_keys.ts) or a code (reset_codes.ts) to the
 * address typed, under the `reset_password` limit (per IP and per address).
 * An address without an active account: with ACCOUNT_PREVENT_ENUMERATION the
 * answer is the one a known address gets and the address is told that no
 * account has it; without, the form says so.
 */
import db from '@adonisjs/lucid/services/db'
import accountsConfig from '#config/accounts'
import EmailAddress from '#models/email_address'
import User from '#models/user'
import { readForm, type FormErrors } from '#services/accounts/forms/form_errors'
import { composeMail, type MailSite } from '#services/accounts/mail/compose'
import { queueMail } from '#services/accounts/mail/outbox'
import { passwordResetKeyPath } from '#services/accounts/paths'
import { makeResetKey, uidb36 } from '#services/accounts/password_reset/reset_keys'
import { createResetCode } from '#services/accounts/password_reset/reset_codes'
import { hitRateLimit } from '#services/rate_limits/rate_limits'
import { emailValidator } from '#validators/accounts'

export type ResetRequestOutcome =
  | { outcome: 'invalid'; errors: FormErrors }
  /** Enumeration allowed: no active account has the address */
  | { outcome: 'unknown' }
  /** Mailed (or pretended); `codeId` is the code row in code mode, null otherwise */
  | { outcome: 'sent'; email: string; codeId: number | null }

/** Mails `email` (an address of `user`) a reset link, or a code when `byCode`; returns the code row */
export async function sendResetMail(
  user: User,
  email: string,
  site: MailSite,
  byCode = accountsConfig.passwordResetByCode
): Promise<number | null> {
  const data = { username: user.username, email }
  if (byCode)
    return db.transaction(async (trx) => {
      const { id, code } = await createResetCode(user.id, trx)
      await queueMail(
        await composeMail('password_reset_code', email, site, {
          ...data,
          code,
        }),
        trx
      )
      return id
    })
  const resetPath = passwordResetKeyPath(uidb36(user.id), await makeResetKey(user))
  await queueMail(
    await composeMail('password_reset_key', email, site, {
      ...data,
      resetPath,
    })
  )
  return null
}

export async function requestPasswordReset(
  body: Record<string, unknown>,
  site: MailSite,
  ip: string
): Promise<ResetRequestOutcome> {
  const form = await readForm(emailValidator, body)
  if (form.errors) return { outcome: 'invalid', errors: form.errors }
  const { email } = form.values
  await hitRateLimit('reset_password', { ip, key: email })

  const address = await EmailAddress.findBy('email', email)
  const user = address ? await User.find(address.userId) : null
  if (!user?.isActive) {
    if (!accountsConfig.preventEnumeration) return { outcome: 'unknown' }
    await queueMail(
      await composeMail('unknown_account', email, site, {
        email,
        signupOpen: accountsConfig.signupOpen,
      })
    )
    return { outcome: 'sent', email, codeId: null }
  }
  return { outcome: 'sent', email, codeId: await sendResetMail(user, email, site) }
}
