import { message } from '#services/i18n/message'
import type { HttpContext } from '@adonisjs/core/http'
import accountsConfig from '#config/accounts'
import { loginName, passwordMatches } from '#services/accounts/credentials'
import { currentProviderSession, markReauthenticated } from '#http/provider_session'
import { safeNextPath } from '#services/accounts/next_path'
import { formField } from '#services/accounts/forms/form_errors'
import { redirectTo, tooManyRequests } from '#http/page_responses'
import { clientIp } from '#http/client_ip'
import { hitRateLimit } from '#services/rate_limits/rate_limits'
import { TooManyRequests } from '#services/oidc/protocol/errors'

/** /accounts/reauthenticate/ (docs/accounts.md, Reauthentication); signed-in only */
export default class ReauthenticateController {
  async show(ctx: HttpContext) {
    const { user } = (await currentProviderSession(ctx))!
    return ctx.view.render('accounts/reauthenticate', {
      account: await loginName(user),
      next: safeNextPath(ctx.request.qs().next),
      errors: {},
    })
  }

  /** The password again: `auth_time` moves to now, then back to `next` */
  async store(ctx: HttpContext) {
    const { request, view } = ctx
    const provider = (await currentProviderSession(ctx))!
    const next = safeNextPath(request.input('next'))
    try {
      await hitRateLimit('reauthenticate', { ip: clientIp(request), user: provider.user.id })
    } catch (error) {
      if (error instanceof TooManyRequests) return tooManyRequests(ctx, error)
      throw error
    }
    if (!(await passwordMatches(provider.user, formField(request.input('password')))))
      return view.render('accounts/reauthenticate', {
        account: await loginName(provider.user),
        next,
        errors: { password: [message('accounts.reauthenticate.errors.incorrect_password')] },
      })
    markReauthenticated(ctx)
    return redirectTo(ctx, next || accountsConfig.loginRedirectUrl)
  }
}
