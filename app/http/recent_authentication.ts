/**
 * The guard of every *reauth* page and action (allauth's reauthentication):
 * pages call it first, or take the `requireRecentAuthentication` middleware
 * for a whole route. A session that signed in or reauthenticated within
 * ACCOUNT_REAUTHENTICATION_TIMEOUT passes; any other goes to
 * /accounts/reauthenticate/?next=<the page>, which sends it back once the
 * password was given again; an anonymous visitor goes to the login page.
 *
 *   const ask = await askForRecentAuthentication(ctx)
 *   if (ask) return ask
 */
import type { HttpContext } from '@adonisjs/core/http'
import { redirectToLogin } from '#http/login_redirect'
import { redirectTo } from '#http/page_responses'
import { currentProviderSession } from '#services/accounts/provider_session'
import {
  isRecentAuthentication,
  reauthenticationPath,
} from '#services/accounts/reauthentication/recent_authentication'

/**
 * Null when the session may go on; otherwise the redirect it was answered
 * with. `next`: where to come back to (default: this page; a POST comes back
 * to the page, not the action).
 */
export async function askForRecentAuthentication(
  ctx: HttpContext,
  next: string = ctx.request.url(true)
) {
  const session = await currentProviderSession(ctx)
  if (!session) return redirectToLogin(ctx, next)
  if (isRecentAuthentication(session.authTime)) return null
  return redirectTo(ctx, reauthenticationPath(next))
}
