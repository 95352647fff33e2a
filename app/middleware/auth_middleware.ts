import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import { loginGate } from '#services/accounts/login_gate'

/** Pages that need a signed-in user send others to the login page with `next` */
export default class AuthMiddleware {
  async handle(ctx: HttpContext, next: NextFn) {
    if (!(await ctx.auth.check())) return loginGate(ctx, ctx.request.url(true))
    return next()
  }
}
