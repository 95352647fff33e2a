import type { HttpContext } from '@adonisjs/core/http'
import { InsufficientScope, InvalidToken } from '#services/oidc/protocol/errors'
import { bearerToken } from '#services/oidc/protocol/bearer'
import { findUsableAccessToken } from '#services/oidc/tokens/lookup'
import { setCorsClient } from '#services/oidc/clients/cors'

/** GET|POST /identity/o/api/userinfo (endpoints.md §5) */
export default class UserinfoController {
  async show(ctx: HttpContext) {
    const value = bearerToken(ctx, true)
    const resolved = value ? await findUsableAccessToken(ctx.oidcAdapter.hashToken(value)) : null
    /* client-credentials tokens have no user to describe */
    if (!resolved?.user) throw new InvalidToken()
    const { token, client, user } = resolved
    setCorsClient(ctx, client)
    if (!token.scopes.includes('openid')) throw new InsufficientScope('openid')
    return ctx.response.json(
      await ctx.oidcAdapter.getClaims(
        'userinfo',
        user,
        client,
        token.scopes,
        token.data?.email ?? null
      )
    )
  }
}
