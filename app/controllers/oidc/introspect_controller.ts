import type { HttpContext } from '@adonisjs/core/http'
import { InvalidRequest } from '#services/oidc/protocol/errors'
import { authenticateClient } from '#services/oidc/clients/authentication'
import { introspect } from '#services/oidc/tokens/introspection'

/** POST /identity/o/api/introspect (RFC 7662, docs/endpoints.md#introspection-endpoint; confidential clients only) */
export default class IntrospectController {
  async introspect({ apiRequest, response }: HttpContext) {
    const { params, adapter } = apiRequest
    if (!params.token) throw new InvalidRequest('Missing token parameter.')
    const client = await authenticateClient(apiRequest, { confidentialOnly: true })
    return response.json(await introspect(adapter, client, params.token, params.token_type_hint))
  }
}
