import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import { redirectToLogin } from '#http/login_redirect'
import { currentProviderSession } from '#services/accounts/provider_session'
import { redirectTo } from '#http/page_responses'
import {
  isRecentAuthentication,
  reauthenticationPath,
} from '#services/accounts/reauthentication/recent_authentication'

/**
 * requireRecentAuthentication: a page (or action) only for a person who
 * signed in or reauthenticated within ACCOUNT_REAUTHENTICATION_TIMEOUT;
 * others go to /accounts/reauthenticate/?next=<this page>, anonymous
 * visitors to the login page.
 */
export default class RecentAuthenticationMiddleware {
  async handle(ctx: HttpContext, next: NextFn) {
    const session = await currentProviderSession(ctx)
    if (!session) return redirectToLogin(ctx, ctx.request.url(true))
    if (!isRecentAuthentication(session.authTime))
      return redirectTo(ctx, reauthenticationPath(ctx.request.url(true)))
    return next()
  }
}
