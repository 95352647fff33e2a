import type { HttpContext } from '@adonisjs/core/http'
import { InvalidRequest } from '#services/oidc/protocol/errors'
import { authenticateClient } from '#services/oidc/clients/authentication'
import { revokeToken } from '#services/oidc/tokens/revocation'

/** POST /identity/o/api/revoke (RFC 7009, docs/endpoints.md#revocation-endpoint) */
export default class RevokeController {
  async revoke({ apiRequest, response }: HttpContext) {
    const { params, adapter } = apiRequest
    if (!params.token) throw new InvalidRequest('Missing token parameter.')
    const client = await authenticateClient(apiRequest)
    await revokeToken(adapter, client, params.token, params.token_type_hint)
    return response.status(200).send('')
  }
}
