import type { HttpContext } from '@adonisjs/core/http'
import accountsConfig from '#config/accounts'
import mfaConfig from '#config/mfa'
import { attemptLogin, loginName } from '#services/accounts/credentials'
import { safeNextPath } from '#services/accounts/next_path'
import { afterPassword } from '#http/sign_in_steps'
import { loginFailures } from '#services/observability/metrics'
import { addressToVerify } from '#services/accounts/email_verification/required'
import { rememberPendingVerification } from '#services/accounts/email_verification/pending'
import { sendVerification } from '#services/accounts/email_verification/verification_mail'
import { formField } from '#services/accounts/forms/form_errors'
import { redirectTo, siteOf, tooManyRequests, withNext } from '#http/page_responses'
import { ACCOUNT_PATHS } from '#services/accounts/paths'
import { clientIp } from '#http/client_ip'
import { TooManyRequests } from '#services/oidc/protocol/errors'
import { recordEvent } from '#services/audit/record_event'

/** /accounts/login/ (docs/endpoints.md#account-pages) */
export default class LoginController {
  async show(ctx: HttpContext) {
    const { request, view } = ctx
    const next = safeNextPath(request.qs().next)
    return view.render('accounts/login', this.#page(next, formField(request.qs().login)))
  }

  async store(ctx: HttpContext) {
    const { request, response, view } = ctx
    const login = formField(request.input('login'))
    const next = safeNextPath(request.input('next'))
    const ip = clientIp(request)

    const attempt = await attemptLogin(login, formField(request.input('password')), ip)
    if ('failure' in attempt) {
      await recordEvent(
        'sign_in.failed',
        { userId: attempt.userId, ip, data: { method: 'password', reason: attempt.failure } },
        { logger: ctx.logger }
      )
      loginFailures.inc({ reason: attempt.failure })
      if (attempt.failure === 'rate_limited')
        response.status(429).header('Retry-After', attempt.retryAfter)
      return view.render('accounts/login', {
        ...this.#page(next, login),
        error: attempt.message,
      })
    }

    /* ACCOUNT_EMAIL_VERIFICATION=mandatory: not signed in until the address is verified */
    const unverified = await addressToVerify(attempt.user, login)
    if (unverified) {
      try {
        const { confirmationId } = await sendVerification(
          unverified,
          await loginName(attempt.user),
          siteOf(ctx),
          ip
        )
        rememberPendingVerification(ctx.session, {
          email: unverified.email,
          userId: attempt.user.id,
          confirmationId,
          next,
          signIn: true,
        })
      } catch (error) {
        if (error instanceof TooManyRequests) return tooManyRequests(ctx, error)
        throw error
      }
      return redirectTo(ctx, ACCOUNT_PATHS.confirmEmail)
    }

    return redirectTo(ctx, await afterPassword(ctx, attempt.user, next, 'password'))
  }

  #page(next: string, login: string) {
    const methods = accountsConfig.loginMethods
    return {
      next,
      login,
      loginLabel:
        methods.length === 2
          ? 'accounts.login.label_both'
          : methods[0] === 'email'
            ? 'accounts.login.label_email'
            : 'accounts.login.label_username',
      loginType: methods.length === 1 && methods[0] === 'email' ? 'email' : 'text',
      signupLink: accountsConfig.signupOpen ? withNext(ACCOUNT_PATHS.signup, next) : null,
      resetLink: withNext(ACCOUNT_PATHS.passwordReset, next),
      passkeyLogin: mfaConfig.passkeyLoginEnabled,
    }
  }
}
