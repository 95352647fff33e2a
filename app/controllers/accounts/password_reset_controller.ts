import type { FormErrors } from '#services/accounts/forms/form_errors'
import { message } from '#services/i18n/message'
import type { HttpContext } from '@adonisjs/core/http'
import accountsConfig from '#config/accounts'
import type User from '#models/user'
import { loginName } from '#services/accounts/credentials'
import { safeNextPath } from '#services/accounts/next_path'
import { requestPasswordReset } from '#services/accounts/password_reset/request_reset'
import { userOfResetKey } from '#services/accounts/password_reset/reset_keys'
import {
  RESET_COMPLETE,
  forgetResetKey,
  forgetResetRequest,
  rememberResetKey,
  rememberResetRequest,
  resetKeyOf,
  resetRequest,
} from '#services/accounts/password_reset/pending'
import { readNewPassword, setNewPassword } from '#services/accounts/passwords/new_password'
import { announceEndedSessions } from '#services/accounts/sign_out'
import { formField } from '#services/accounts/forms/form_errors'
import { redirectTo, siteOf, tooManyRequests, withNext } from '#http/page_responses'
import { ACCOUNT_PATHS, passwordResetKeyPath } from '#services/accounts/paths'
import { clientIp } from '#http/client_ip'
import { hitRateLimit } from '#services/rate_limits/rate_limits'
import { TooManyRequests } from '#services/oidc/protocol/errors'
import { PATHS } from '#services/oidc/protocol/paths'
import { setPasswordValidator } from '#validators/accounts'

const SET_PASSWORD = 'set-password'

/** /accounts/password/reset/ and the link's pages (docs/accounts.md, Password reset) */
export default class PasswordResetController {
  async show({ request, view }: HttpContext) {
    const next = safeNextPath(request.qs().next)
    return view.render('accounts/password_reset', { next, email: '', errors: {} })
  }

  /** Link mode: the "mail sent" page; code mode: the code page */
  async request(ctx: HttpContext) {
    const { request, view } = ctx
    const next = safeNextPath(request.input('next'))
    try {
      const result = await requestPasswordReset(
        request.only(['email']),
        siteOf(ctx),
        clientIp(request)
      )
      if (result.outcome !== 'sent')
        return view.render('accounts/password_reset', {
          next,
          email: formField(request.input('email')),
          errors:
            result.outcome === 'invalid'
              ? result.errors
              : { email: [message('accounts.password_reset.errors.no_such_address')] },
        })
      rememberResetRequest(ctx.session, { email: result.email, codeId: result.codeId, next })
    } catch (error) {
      if (error instanceof TooManyRequests) return tooManyRequests(ctx, error)
      throw error
    }
    return redirectTo(
      ctx,
      accountsConfig.passwordResetByCode
        ? ACCOUNT_PATHS.passwordResetConfirm
        : ACCOUNT_PATHS.passwordResetDone
    )
  }

  /** "We have sent you an email", or, at the end of a reset by code, that it is done */
  async sent(ctx: HttpContext) {
    if (ctx.session.flashMessages.get(RESET_COMPLETE)) return this.done(ctx)
    return ctx.view.render('accounts/password_reset_done')
  }

  /** The mailed link: its key moves into the session, out of the address bar and Referer */
  async openKey(ctx: HttpContext) {
    const [uid, key] = this.#split(ctx.params.uidkey)
    if (key === SET_PASSWORD) {
      const user = await this.#userOfSession(ctx, uid)
      return user ? this.#form(ctx, uid, user, {}) : this.#invalid(ctx)
    }
    if (!(await userOfResetKey(uid, key))) return this.#invalid(ctx)
    rememberResetKey(ctx.session, uid, key)
    return redirectTo(ctx, passwordResetKeyPath(uid, SET_PASSWORD))
  }

  async setPassword(ctx: HttpContext) {
    const [uid, key] = this.#split(ctx.params.uidkey)
    const user = key === SET_PASSWORD ? await this.#userOfSession(ctx, uid) : null
    if (!user) return this.#invalid(ctx)
    try {
      await hitRateLimit('reset_password_from_key', { ip: clientIp(ctx.request) })
    } catch (error) {
      if (error instanceof TooManyRequests) return tooManyRequests(ctx, error)
      throw error
    }
    const form = await readNewPassword(
      setPasswordValidator,
      ctx.request.only(['password1', 'password2']),
      user
    )
    if (form.errors) return this.#form(ctx, uid, user, form.errors)
    const result = await setNewPassword(user, form.values.password1, {
      reason: 'reset',
      site: siteOf(ctx),
    })
    forgetResetKey(ctx.session)
    if (!result.set) return this.#invalid(ctx)
    await announceEndedSessions(ctx.oidcAdapter, result.endedSids)
    return redirectTo(ctx, ACCOUNT_PATHS.passwordResetKeyDone)
  }

  /** After a reset: not signed in; the sign-in goes on where the reset started */
  async done(ctx: HttpContext) {
    const next = resetRequest(ctx.session)?.next ?? ''
    forgetResetRequest(ctx.session)
    return ctx.view.render('accounts/password_reset_key_done', {
      loginLink: withNext(PATHS.login, next),
    })
  }

  /** `<uidb36>-<key>`: the uid never holds a dash, the key may */
  #split(uidkey: string): [string, string] {
    const dash = uidkey.indexOf('-')
    return dash < 0 ? [uidkey, ''] : [uidkey.slice(0, dash), uidkey.slice(dash + 1)]
  }

  /** The user whose key this session holds, while the key still holds */
  async #userOfSession(ctx: HttpContext, uid: string): Promise<User | null> {
    const key = resetKeyOf(ctx.session, uid)
    return key ? userOfResetKey(uid, key) : null
  }

  async #form(ctx: HttpContext, uid: string, user: User, errors: FormErrors) {
    return ctx.view.render('accounts/password_set', {
      action: passwordResetKeyPath(uid, SET_PASSWORD),
      account: await loginName(user),
      errors,
    })
  }

  #invalid(ctx: HttpContext) {
    return ctx.view.render('accounts/password_reset_invalid')
  }
}
