import type { HttpContext } from '@adonisjs/core/http'
import accountsConfig from '#config/accounts'
import { safeNextPath } from '#services/accounts/next_path'
import { startProviderSession } from '#http/provider_session'
import { rememberPendingVerification } from '#services/accounts/email_verification/pending'
import { redirectTo, siteOf, tooManyRequests, withNext } from '#http/page_responses'
import { ACCOUNT_PATHS } from '#services/accounts/paths'
import { signUp } from '#services/accounts/signup/sign_up'
import { clientIp } from '#http/client_ip'
import { hitRateLimit } from '#services/rate_limits/rate_limits'
import { TooManyRequests } from '#services/oidc/protocol/errors'
import { PATHS } from '#services/oidc/protocol/paths'
import type { FormErrors } from '#services/accounts/forms/form_errors'

/** /accounts/signup/ (docs/accounts.md, Sign-up) */
export default class SignupController {
  async show({ request, view }: HttpContext) {
    if (!accountsConfig.signupOpen) return view.render('accounts/signup_closed')
    const next = safeNextPath(request.qs().next)
    return view.render('accounts/signup', this.#page(next, {}, {}))
  }

  async store(ctx: HttpContext) {
    const { request, session, view } = ctx
    if (!accountsConfig.signupOpen) return view.render('accounts/signup_closed')
    const next = safeNextPath(request.input('next'))
    const ip = clientIp(request)
    try {
      await hitRateLimit('signup', { ip })
      const result = await signUp(
        request.only(['email', 'username', 'password1', 'password2']),
        siteOf(ctx),
        ip
      )
      if (result.outcome === 'invalid')
        return view.render('accounts/signup', this.#page(next, request.all(), result.errors))

      const mandatory = accountsConfig.emailVerification === 'mandatory'
      if (result.outcome === 'pretended' || mandatory) {
        /* not signed in: the verification page first, then back to `next` */
        rememberPendingVerification(session, {
          email: result.email,
          userId: result.outcome === 'created' ? result.user.id : null,
          confirmationId: result.outcome === 'created' ? result.confirmationId : null,
          next,
          signIn: true,
        })
        return redirectTo(ctx, ACCOUNT_PATHS.confirmEmail)
      }
      await startProviderSession(ctx, result.user, 'signup')
      if (result.confirmationId)
        rememberPendingVerification(session, {
          email: result.email,
          userId: result.user.id,
          confirmationId: result.confirmationId,
          next,
          signIn: false,
        })
      return redirectTo(ctx, next)
    } catch (error) {
      if (error instanceof TooManyRequests) return tooManyRequests(ctx, error)
      throw error
    }
  }

  #page(next: string, values: Record<string, unknown>, errors: FormErrors) {
    return {
      next,
      values: { email: values.email, username: values.username },
      errors,
      withUsername: accountsConfig.loginMethods.includes('username'),
      loginLink: withNext(PATHS.login, next),
    }
  }
}
