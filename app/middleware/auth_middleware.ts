import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import { redirectToLogin } from '#http/login_redirect'
import { currentProviderSession } from '#http/provider_session'

/** Pages that need a signed-in, active user send others to the login page with `next` */
export default class AuthMiddleware {
  async handle(ctx: HttpContext, next: NextFn) {
    if (!(await currentProviderSession(ctx))) return redirectToLogin(ctx, ctx.request.url(true))
    return next()
  }
}
