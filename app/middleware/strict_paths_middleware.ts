import { errors, type HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import { isIdpPathWithTrailingSlash } from '#services/oidc/protocol/paths'

/**
 * docs/endpoints.md#routes: IdP paths with a trailing slash give 404. The router
 * ignores trailing slashes, so they are refused here, before routing.
 */
export default class StrictPathsMiddleware {
  handle(ctx: HttpContext, next: NextFn) {
    const path = ctx.request.url()
    if (isIdpPathWithTrailingSlash(path))
      throw new errors.E_ROUTE_NOT_FOUND([ctx.request.method(), path])
    return next()
  }
}
