/**
 * A sign-up (docs/accounts.md, Sign-up): the form's rules, then the user, its
 * primary address and, unless verification is off, the verification mail,
 * written in one transaction. An address that already has an account is
 * refused with allauth's message, except where allauth hides it
 * (ACCOUNT_PREVENT_ENUMERATION with mandatory verification): then nothing is
 * created, the owner gets the "account already exists" mail, and the answer
 * is the one a new sign-up gets.
 */
import db from '@adonisjs/lucid/services/db'
import accountsConfig from '#config/accounts'
import EmailAddress from '#models/email_address'
import User from '#models/user'
import { addError, readForm, type FormErrors } from '#services/accounts/forms/form_errors'
import { passwordProblems } from '#services/accounts/passwords/validation'
import { hashPassword } from '#services/accounts/passwords/stored_passwords'
import type { MailSite } from '#services/accounts/mail/compose'
import {
  sendAccountExists,
  sendVerification,
} from '#services/accounts/email_verification/verification_mail'
import { signupValidator } from '#validators/accounts'
import { message } from '#services/i18n/message'

/** What a person who signs up is: no names yet, active, no staff rights */
const NEW_PERSON = {
  firstName: '',
  lastName: '',
  isActive: true,
  isStaff: false,
  isSuperuser: false,
  profile: null,
}

export const EMAIL_TAKEN = message('forms.email_taken')
export const USERNAME_TAKEN = message('forms.username_taken')

export type SignupOutcome =
  | { outcome: 'invalid'; errors: FormErrors }
  /** A new user; `confirmationId` when its address is verified by code */
  | { outcome: 'created'; user: User; email: string; confirmationId: number | null }
  /** Nothing created (enumeration prevented); answer as for a new sign-up */
  | { outcome: 'pretended'; email: string }

const usernameTaken = async (username: string) =>
  Boolean(await User.query().whereRaw('LOWER(username) = ?', [username.toLowerCase()]).first())

/** Two sign-ups racing for one address or username: the unique index decides */
const isUniqueViolation = (error: unknown) =>
  ['SQLITE_CONSTRAINT_UNIQUE', 'ER_DUP_ENTRY', '23505'].includes(
    String((error as { code?: unknown }).code)
  )

export async function signUp(
  body: Record<string, unknown>,
  site: MailSite,
  ip: string,
  raced = false
): Promise<SignupOutcome> {
  const form = await readForm(signupValidator, body)
  if (form.errors) {
    /* the password's own problems too, as Django's form shows every field's at once */
    if (typeof body.password1 === 'string' && body.password1 && !form.errors.password1)
      for (const problem of await passwordProblems(body.password1, {}))
        addError(form.errors, 'password1', problem)
    return { outcome: 'invalid', errors: form.errors }
  }
  const { email, username, password1 } = form.values

  const errors: FormErrors = {}
  const emailTaken = Boolean(await EmailAddress.findBy('email', email))
  const hidesTakenEmail =
    accountsConfig.preventEnumeration && accountsConfig.emailVerification === 'mandatory'
  if (emailTaken && !hidesTakenEmail) addError(errors, 'email', EMAIL_TAKEN)
  if (username && (await usernameTaken(username))) addError(errors, 'username', USERNAME_TAKEN)
  for (const problem of await passwordProblems(password1, { username, email }))
    addError(errors, 'password1', problem)
  if (Object.keys(errors).length) return { outcome: 'invalid', errors }

  if (emailTaken) {
    await sendAccountExists(email, site, ip)
    return { outcome: 'pretended', email }
  }

  const password = await hashPassword(password1)
  try {
    return await db.transaction(async (trx) => {
      const user = await User.create(
        { username: username ?? null, password, ...NEW_PERSON },
        { client: trx }
      )
      const address = await EmailAddress.create(
        { userId: user.id, email, verified: false, primary: true },
        { client: trx }
      )
      const { confirmationId } =
        accountsConfig.emailVerification === 'none'
          ? { confirmationId: null }
          : await sendVerification(address, username ?? email, site, ip, trx)
      return { outcome: 'created' as const, user, email, confirmationId }
    })
  } catch (error) {
    /* once more: the checks now see the winner's address or username */
    if (raced || !isUniqueViolation(error)) throw error
    return signUp(body, site, ip, true)
  }
}
