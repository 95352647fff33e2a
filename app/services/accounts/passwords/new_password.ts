/**
 * A new password chosen by the account's owner, at a reset or a change: the
 * form's rules and Django's validators, then the new hash stored only while
 * the column still holds the hash the page started from (of two uses of one
 * reset key, or two changes racing, exactly one wins). In the same
 * transaction the account's reset codes die and the owner is told by mail
 * (ours); then every session but the one kept ends.
 */
import db from '@adonisjs/lucid/services/db'
import type { VineValidator } from '@vinejs/vine'
import type { SchemaTypes } from '@vinejs/vine/types'
import type User from '#models/user'
import EmailAddress from '#models/email_address'
import { affectedRows } from '#database/statements'
import { addError, readForm, type FormErrors } from '#services/accounts/forms/form_errors'
import { passwordProblems } from '#services/accounts/passwords/validation'
import { hashPassword } from '#services/accounts/passwords/stored_passwords'
import { composeMail, type MailSite } from '#services/accounts/mail/compose'
import { queueMail } from '#services/accounts/mail/outbox'
import { endUserSessions } from '#services/accounts/user_sessions'

/** The form's values when they pass, with Django's validators run on password1 */
export async function readNewPassword<Schema extends SchemaTypes>(
  validator: VineValidator<Schema, undefined>,
  body: Record<string, unknown>,
  user: User
) {
  const form = await readForm(validator, body)
  const password = typeof body.password1 === 'string' ? body.password1 : ''
  const errors: FormErrors = form.errors ?? {}
  if (password && !errors.password1) {
    const primary = await EmailAddress.query()
      .where('user_id', user.id)
      .where('primary', true)
      .first()
    const owner = {
      username: user.username,
      email: primary?.email,
      firstName: user.firstName,
      lastName: user.lastName,
    }
    for (const problem of await passwordProblems(password, owner))
      addError(errors, 'password1', problem)
  }
  return Object.keys(errors).length
    ? { errors, values: null }
    : { errors: null, values: form.values! }
}

export type PasswordSet = { set: false } | { set: true; endedSids: string[] }

/** Why the password was set: the mail the owner gets */
const NOTICES = { change: 'password_changed', reset: 'password_reset_done' } as const

export async function setNewPassword(
  user: User,
  password: string,
  options: { reason: keyof typeof NOTICES; keepSid?: string; site: MailSite }
): Promise<PasswordSet> {
  const hashed = await hashPassword(password)
  const notice = NOTICES[options.reason]
  const set = await db.transaction(async (trx) => {
    const updated = await trx
      .from('users')
      .where('id', user.id)
      .where('password', user.password)
      .update({ password: hashed })
    if (affectedRows(updated) !== 1) return false
    await trx.from('password_reset_codes').where('user_id', user.id).delete()
    const primary = await EmailAddress.query({ client: trx })
      .where('user_id', user.id)
      .where('primary', true)
      .first()
    if (primary) await queueMail(await composeMail(notice, primary.email, options.site, {}), trx)
    return true
  })
  if (!set) return { set: false }
  return { set: true, endedSids: await endUserSessions(user.id, { except: options.keepSid }) }
}
