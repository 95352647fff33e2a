import type { HttpContext } from '@adonisjs/core/http'
import { handleTokenRequest } from '#services/oidc/grants/index'

/** POST /identity/o/api/token (endpoints.md §4) */
export default class TokenController {
  async issue(ctx: HttpContext) {
    return ctx.response.json(await handleTokenRequest(ctx))
  }
}
