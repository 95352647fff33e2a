import type { HttpContext } from '@adonisjs/core/http'
import { bearerToken } from '#services/oidc/protocol/bearer'
import { userinfoClaims } from '#services/oidc/tokens/userinfo'
import { setCorsClient } from '#http/cors'
import { bearerSource } from '#http/request_parts'

/** GET|POST /identity/o/api/userinfo (docs/endpoints.md#userinfo-endpoint) */
export default class UserinfoController {
  async show(ctx: HttpContext) {
    const accessToken = bearerToken(bearerSource(ctx.request), true)
    const claims = await userinfoClaims(ctx.oidcAdapter, accessToken, (client) =>
      setCorsClient(ctx, client)
    )
    return ctx.response.json(claims)
  }
}
