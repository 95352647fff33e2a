/**
 * The account page forms (docs/accounts.md): field names and rules as
 * allauth's forms have them.
 */
import vine from '@vinejs/vine'
import accountsConfig from '#config/accounts'
import { emailRule } from '#services/accounts/forms/form_errors'

/** Django's username rule: letters, digits and @ . + - _, at most 150 */
const usernameRule = () =>
  vine
    .string()
    .trim()
    .maxLength(150)
    .regex(/^[\p{L}\p{N}_.@+-]+$/u)

/** /accounts/signup/: the username only where usernames sign in */
export const signupValidator = vine.compile(
  vine.object({
    email: emailRule(),
    username: accountsConfig.loginMethods.includes('username')
      ? usernameRule()
      : vine
          .any()
          .optional()
          .transform(() => undefined),
    password1: vine.string(),
    password2: vine.string().sameAs('password1'),
  })
)

/** /accounts/email/ `action_add`, and the address of the other actions */
export const emailValidator = vine.compile(vine.object({ email: emailRule() }))

/** /accounts/confirm-email/ (code mode) */
export const codeValidator = vine.compile(vine.object({ code: vine.string().trim() }))

/** A new password typed twice (reset and change) */
const newPassword = {
  password1: vine.string(),
  password2: vine.string().sameAs('password1'),
}

/** /accounts/password/reset/key/<uidb36>-set-password/ and /accounts/password/reset/complete/ */
export const setPasswordValidator = vine.compile(vine.object(newPassword))

/** /accounts/password/change/ */
export const changePasswordValidator = vine.compile(
  vine.object({ oldpassword: vine.string(), ...newPassword })
)

/** /accounts/reauthenticate/ */
export const reauthenticateValidator = vine.compile(vine.object({ password: vine.string() }))
