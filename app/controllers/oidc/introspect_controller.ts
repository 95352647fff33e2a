import type { HttpContext } from '@adonisjs/core/http'
import { InvalidRequest } from '#services/oidc/protocol/errors'
import { readApiForm } from '#services/oidc/protocol/parameters'
import { authenticateClient } from '#services/oidc/clients/authentication'
import { introspect } from '#services/oidc/tokens/introspection'
import { setCorsClient } from '#services/oidc/clients/cors'

/** POST /identity/o/api/introspect (RFC 7662, endpoints.md §7; confidential clients only) */
export default class IntrospectController {
  async introspect(ctx: HttpContext) {
    const params = readApiForm(ctx)
    if (!params.token) throw new InvalidRequest('Missing token parameter.')
    const client = await authenticateClient(ctx, params, { confidentialOnly: true })
    setCorsClient(ctx, client)
    return ctx.response.json(
      await introspect(ctx.oidcAdapter, client, params.token, params.token_type_hint)
    )
  }
}
