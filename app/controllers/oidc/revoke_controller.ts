import type { HttpContext } from '@adonisjs/core/http'
import { InvalidRequest } from '#services/oidc/protocol/errors'
import { readApiForm } from '#services/oidc/protocol/parameters'
import { authenticateClient } from '#services/oidc/clients/authentication'
import { revokeToken } from '#services/oidc/tokens/revocation'
import { setCorsClient } from '#services/oidc/clients/cors'

/** POST /identity/o/api/revoke (RFC 7009, endpoints.md §6) */
export default class RevokeController {
  async revoke(ctx: HttpContext) {
    const params = readApiForm(ctx)
    if (!params.token) throw new InvalidRequest('Missing token parameter.')
    const client = await authenticateClient(ctx, params)
    setCorsClient(ctx, client)
    await revokeToken(ctx.oidcAdapter, client, params.token, params.token_type_hint)
    return ctx.response.status(200).send('')
  }
}
