import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import { PATHS } from '#services/oidc/protocol/paths'

/**
 * §3.3 step 1: a POST to the authorization endpoint without `request` is an
 * authorization request sent by POST (an RP's cross-site form): 303 to the
 * GET form with the same parameters, before the CSRF check that protects the
 * consent form.
 */
export default class AuthorizeByPostMiddleware {
  handle(ctx: HttpContext, next: NextFn) {
    const body = ctx.request.raw() ?? ''
    if (new URLSearchParams(body).has('request')) return next()
    return ctx.response.status(303).header('Location', `${PATHS.authorize}?${body}`).send('')
  }
}
