import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import { checkRecentAuthentication } from '#http/recent_authentication'

/**
 * requireRecentAuthentication: a route only for a person who signed in or
 * reauthenticated within ACCOUNT_REAUTHENTICATION_TIMEOUT
 * (#http/recent_authentication).
 */
export default class RecentAuthenticationMiddleware {
  async handle(ctx: HttpContext, next: NextFn) {
    if (await checkRecentAuthentication(ctx)) return next()
  }
}
