import type { HttpContext } from '@adonisjs/core/http'
import accountsConfig from '#config/accounts'
import User from '#models/user'
import { loginName } from '#services/accounts/credentials'
import { currentProviderSession } from '#http/provider_session'
import { afterPassword } from '#http/sign_in_steps'
import {
  addressOfKey,
  confirmByCode,
  confirmByKey,
} from '#services/accounts/email_verification/confirmations'
import { CODE_ATTEMPTS } from '#services/accounts/codes/mailed_codes'
import {
  forgetPendingVerification,
  pendingVerification,
  rememberPendingVerification,
  type PendingVerification,
} from '#services/accounts/email_verification/pending'
import { resendVerification } from '#services/accounts/email_verification/resend'
import { readForm } from '#services/accounts/forms/form_errors'
import { redirectTo, siteOf, tooManyRequests, withNext } from '#http/page_responses'
import { ACCOUNT_PATHS, confirmEmailKeyPath } from '#services/accounts/paths'
import { clientIp } from '#http/client_ip'
import { TooManyRequests } from '#services/oidc/protocol/errors'
import { PATHS } from '#services/oidc/protocol/paths'
import { codeValidator } from '#validators/accounts'
import { message, type Message } from '#services/i18n/message'

const INCORRECT_CODE = message('forms.incorrect_code')
const confirmed = (email: string) => message('accounts.confirm_email.confirmed', { email })

/** /accounts/confirm-email/ and /accounts/confirm-email/<key>/ (docs/accounts.md, Email verification) */
export default class EmailVerificationController {
  /** Link mode: "we sent you a mail"; code mode: the code form */
  async sent(ctx: HttpContext) {
    const pending = pendingVerification(ctx.session)
    if (!accountsConfig.emailVerificationByCode)
      return ctx.view.render('accounts/verification_sent', { email: pending?.email })
    if (!pending) return this.#leave(ctx)
    return ctx.view.render('accounts/confirm_email_code', { email: pending.email, errors: {} })
  }

  /** Code mode: a code, or `action=resend` */
  async enterCode(ctx: HttpContext) {
    const pending = pendingVerification(ctx.session)
    if (!accountsConfig.emailVerificationByCode || !pending) return this.#leave(ctx)
    if (ctx.request.input('action') === 'resend') return this.#resend(ctx, pending)

    const form = await readForm(codeValidator, ctx.request.only(['code']))
    if (form.errors) return this.#codeForm(ctx, pending, form.errors.code)
    if (pending.confirmationId === null) {
      /* a pretended sign-up: no code passes, and it ends like a real one */
      const tries = (pending.pretendTries ?? 0) + 1
      if (tries >= CODE_ATTEMPTS) return this.#dropped(ctx)
      rememberPendingVerification(ctx.session, { ...pending, pretendTries: tries })
      return this.#codeForm(ctx, pending, [INCORRECT_CODE])
    }
    const result = await confirmByCode(pending.confirmationId, form.values.code)
    if (result.outcome === 'incorrect') return this.#codeForm(ctx, pending, [INCORRECT_CODE])
    if (result.outcome === 'dropped') return this.#dropped(ctx)

    forgetPendingVerification(ctx.session)
    ctx.session.flash('notices', [confirmed(result.address.email)])
    const signedIn = await currentProviderSession(ctx)
    if (!signedIn && pending.signIn && pending.userId === result.address.userId) {
      const user = await User.find(pending.userId)
      if (user?.isActive)
        return redirectTo(ctx, await afterPassword(ctx, user, pending.next, 'email_confirmation'))
    }
    return redirectTo(ctx, pending.next)
  }

  /** The page a mailed link opens: names the address and its account; confirms nothing */
  async show(ctx: HttpContext) {
    const key = ctx.params.key
    const address = await addressOfKey(key)
    if (!address) return ctx.view.render('accounts/confirm_email_invalid')
    const user = await User.findOrFail(address.userId)
    return ctx.view.render('accounts/confirm_email', {
      email: address.email,
      account: await loginName(user),
      action: confirmEmailKeyPath(key),
    })
  }

  async confirm(ctx: HttpContext) {
    const address = await confirmByKey(ctx.params.key)
    if (!address) return ctx.view.render('accounts/confirm_email_invalid')
    ctx.session.flash('notices', [confirmed(address.email)])
    if (await currentProviderSession(ctx)) return redirectTo(ctx, accountsConfig.loginRedirectUrl)
    /* a sign-up or held-back sign-in in this browser goes on where it was going, once signed in */
    const pending = pendingVerification(ctx.session)
    forgetPendingVerification(ctx.session)
    const next = pending?.userId === address.userId ? pending.next : ''
    return redirectTo(ctx, withNext(PATHS.login, next))
  }

  async #resend(ctx: HttpContext, pending: PendingVerification) {
    try {
      const confirmationId = await resendVerification(pending, siteOf(ctx), clientIp(ctx.request))
      rememberPendingVerification(ctx.session, { ...pending, confirmationId })
    } catch (error) {
      if (error instanceof TooManyRequests) return tooManyRequests(ctx, error)
      throw error
    }
    ctx.session.flash('notices', [message('accounts.email.sent', { email: pending.email })])
    return redirectTo(ctx, ACCOUNT_PATHS.confirmEmail)
  }

  #codeForm(ctx: HttpContext, pending: PendingVerification, code: Message[] | undefined) {
    return ctx.view.render('accounts/confirm_email_code', {
      email: pending.email,
      errors: { code },
    })
  }

  async #dropped(ctx: HttpContext) {
    forgetPendingVerification(ctx.session)
    ctx.session.flash('problems', [message('accounts.confirm_email_code.too_many')])
    return this.#leave(ctx)
  }

  /** No verification pending here: the addresses page, or the login page */
  async #leave(ctx: HttpContext) {
    return redirectTo(ctx, (await currentProviderSession(ctx)) ? ACCOUNT_PATHS.email : PATHS.login)
  }
}
