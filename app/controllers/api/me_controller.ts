import type { HttpContext } from '@adonisjs/core/http'
import { joinScopes } from '#services/oidc/protocol/scopes'

/** GET /api/me: the example route protected by middleware.oidcToken (docs/tokens.md#protecting-your-own-api) */
export default class MeController {
  async show(ctx: HttpContext) {
    const { client, user, scopes } = ctx.oidc
    return {
      ...(user ? { sub: ctx.oidcAdapter.getUserSub(client, user) } : {}),
      client_id: client.id,
      scope: joinScopes(scopes),
    }
  }
}
