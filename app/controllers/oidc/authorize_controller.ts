import type { HttpContext } from '@adonisjs/core/http'
import { authorize, readParams, submitConsent } from '#services/oidc/authorize/flow'

/** /identity/o/authorize (endpoints.md §3) */
export default class AuthorizeController {
  /** GET: an authorization request */
  async show(ctx: HttpContext) {
    const url = ctx.request.request.url ?? ''
    return authorize(ctx, url.includes('?') ? url.slice(url.indexOf('?') + 1) : '')
  }

  /** POST: the consent form (an authorization request sent by POST was redirected by authorize_by_post) */
  async store(ctx: HttpContext) {
    return submitConsent(ctx, readParams(ctx.request.raw() ?? ''))
  }
}
