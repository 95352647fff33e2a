/**
 * The guard of every *reauth* page and action (allauth's reauthentication):
 * pages call it first, or take the `requireRecentAuthentication` middleware
 * for a whole route. A session that signed in or reauthenticated within
 * ACCOUNT_REAUTHENTICATION_TIMEOUT passes; any other goes to
 * /accounts/reauthenticate/?next=<the page>, which sends it back once the
 * password was given again; an anonymous visitor goes to the login page.
 *
 *   if (!(await checkRecentAuthentication(ctx))) return
 */
import type { HttpContext } from '@adonisjs/core/http'
import { redirectToLogin } from '#http/login_redirect'
import { redirectTo } from '#http/page_responses'
import { currentProviderSession } from '#http/provider_session'
import {
  isRecentAuthentication,
  reauthenticationPath,
} from '#services/accounts/reauthentication/recent_authentication'

/**
 * Whether the session may go on; when not, the response is already the
 * redirect. `next`: where to come back to (default: this page; after a POST,
 * give the page, since the action is not replayed).
 */
export async function checkRecentAuthentication(
  ctx: HttpContext,
  next: string = ctx.request.url(true)
): Promise<boolean> {
  const session = await currentProviderSession(ctx)
  if (session && isRecentAuthentication(session.authTime)) return true
  if (session) redirectTo(ctx, reauthenticationPath(next))
  else redirectToLogin(ctx, next)
  return false
}
