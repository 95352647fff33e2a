import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import { PATHS } from '#services/oidc/protocol/paths'
import { InvalidRequest } from '#services/oidc/protocol/errors'
import { mediaType } from '#services/oidc/protocol/parameters'
import { readParams } from '#services/oidc/authorize/decision'

/**
 * docs/endpoints.md#consent-form-submission: a POST to the authorization endpoint without `request` is an
 * authorization request sent by POST (an RP's cross-site form): 303 to the
 * GET form with the same parameters, before the CSRF check that protects the
 * consent form. Only a form body qualifies, and the query is rebuilt from its
 * decoded parameters: raw body bytes never reach a header.
 */
export default class AuthorizeByPostMiddleware {
  handle(ctx: HttpContext, next: NextFn) {
    if (mediaType(ctx.request.header('content-type')) !== 'application/x-www-form-urlencoded')
      throw new InvalidRequest('The request body must be form-encoded.').asPage()
    const params = readParams(ctx.request.raw() ?? '')
    if (params.has('request')) return next()
    const query = new URLSearchParams()
    for (const [name, values] of params) for (const value of values) query.append(name, value)
    const location = query.size ? `${PATHS.authorize}?${query}` : PATHS.authorize
    return ctx.response.status(303).header('Location', location).send('')
  }
}
