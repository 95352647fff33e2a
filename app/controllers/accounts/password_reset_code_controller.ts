import { message, type Message } from '#services/i18n/message'
import type { HttpContext } from '@adonisjs/core/http'
import accountsConfig from '#config/accounts'
import { loginName } from '#services/accounts/credentials'
import { CODE_ATTEMPTS } from '#services/accounts/codes/mailed_codes'
import { tryResetCode, userOfVerifiedCode } from '#services/accounts/password_reset/reset_codes'
import { sendResetMail } from '#services/accounts/password_reset/request_reset'
import {
  RESET_COMPLETE,
  forgetResetRequest,
  rememberResetRequest,
  resetRequest,
  type ResetRequest,
} from '#services/accounts/password_reset/pending'
import { readNewPassword, setNewPassword } from '#services/accounts/passwords/new_password'
import { announceEndedSessions } from '#services/accounts/sign_out'
import { readForm } from '#services/accounts/forms/form_errors'
import { redirectTo, siteOf, tooManyRequests } from '#http/page_responses'
import { ACCOUNT_PATHS } from '#services/accounts/paths'
import { clientIp } from '#http/client_ip'
import { hitRateLimit } from '#services/rate_limits/rate_limits'
import { TooManyRequests } from '#services/oidc/protocol/errors'
import User from '#models/user'
import EmailAddress from '#models/email_address'
import { codeValidator, setPasswordValidator } from '#validators/accounts'

/**
 * Code mode (ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED): /accounts/password/reset/confirm/
 * takes the mailed code, /accounts/password/reset/complete/ the new password
 * (docs/accounts.md, Password reset).
 */
export default class PasswordResetCodeController {
  async show(ctx: HttpContext) {
    const pending = resetRequest(ctx.session)
    if (!accountsConfig.passwordResetByCode || !pending) return this.#restart(ctx)
    return this.#codeForm(ctx, pending, undefined)
  }

  /** A code, or `action=resend` */
  async enterCode(ctx: HttpContext) {
    const pending = resetRequest(ctx.session)
    if (!accountsConfig.passwordResetByCode || !pending) return this.#restart(ctx)
    if (ctx.request.input('action') === 'resend') return this.#resend(ctx, pending)

    const form = await readForm(codeValidator, ctx.request.only(['code']))
    if (form.errors) return this.#codeForm(ctx, pending, form.errors.code)
    if (pending.codeId === null) {
      /* a pretended request: no code passes, and it ends like a real one */
      const tries = (pending.pretendTries ?? 0) + 1
      if (tries >= CODE_ATTEMPTS) return this.#dropped(ctx)
      rememberResetRequest(ctx.session, { ...pending, pretendTries: tries })
      return this.#codeForm(ctx, pending, [this.#incorrect()])
    }
    const tried = await tryResetCode(pending.codeId, form.values.code)
    if (tried.outcome === 'incorrect') return this.#codeForm(ctx, pending, [this.#incorrect()])
    if (tried.outcome === 'dropped') return this.#dropped(ctx)
    return redirectTo(ctx, ACCOUNT_PATHS.passwordResetComplete)
  }

  async showComplete(ctx: HttpContext) {
    const user = await this.#verifiedUser(ctx)
    if (!user) return this.#restart(ctx)
    return ctx.view.render('accounts/password_set', {
      action: ACCOUNT_PATHS.passwordResetComplete,
      account: await loginName(user),
      errors: {},
    })
  }

  async complete(ctx: HttpContext) {
    const user = await this.#verifiedUser(ctx)
    if (!user) return this.#restart(ctx)
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
    if (form.errors)
      return ctx.view.render('accounts/password_set', {
        action: ACCOUNT_PATHS.passwordResetComplete,
        account: await loginName(user),
        errors: form.errors,
      })
    const result = await setNewPassword(user, form.values.password1, {
      reason: 'reset',
      site: siteOf(ctx),
    })
    if (!result.set) return this.#restart(ctx)
    await announceEndedSessions(ctx.oidcAdapter, result.endedSids)
    /* allauth's address for the end of a reset by code; that page then says it is done */
    ctx.session.flash(RESET_COMPLETE, true)
    return redirectTo(ctx, ACCOUNT_PATHS.passwordResetDone)
  }

  async #verifiedUser(ctx: HttpContext): Promise<User | null> {
    const pending = resetRequest(ctx.session)
    if (!accountsConfig.passwordResetByCode || pending?.codeId === null || !pending) return null
    return userOfVerifiedCode(pending.codeId)
  }

  async #resend(ctx: HttpContext, pending: ResetRequest) {
    const ip = clientIp(ctx.request)
    try {
      await hitRateLimit('reset_password', { ip, key: pending.email })
    } catch (error) {
      if (error instanceof TooManyRequests) return tooManyRequests(ctx, error)
      throw error
    }
    const address = await EmailAddress.findBy('email', pending.email)
    const user = pending.codeId !== null && address ? await User.find(address.userId) : null
    if (user?.isActive) {
      const codeId = await sendResetMail(user, pending.email, siteOf(ctx), true)
      rememberResetRequest(ctx.session, { ...pending, codeId })
    }
    ctx.session.flash('notices', [
      message('accounts.password_reset.new_code_sent', { email: pending.email }),
    ])
    return redirectTo(ctx, ACCOUNT_PATHS.passwordResetConfirm)
  }

  #codeForm(ctx: HttpContext, pending: ResetRequest, code: Message[] | undefined) {
    return ctx.view.render('accounts/password_reset_code', {
      email: pending.email,
      errors: { code },
    })
  }

  #dropped(ctx: HttpContext) {
    forgetResetRequest(ctx.session)
    ctx.session.flash('problems', [message('accounts.password_reset.dropped')])
    return this.#restart(ctx)
  }

  #incorrect() {
    return message('accounts.password_reset.errors.incorrect_code')
  }

  #restart(ctx: HttpContext) {
    return redirectTo(ctx, ACCOUNT_PATHS.passwordReset)
  }
}
