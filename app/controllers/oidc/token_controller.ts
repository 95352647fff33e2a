import type { HttpContext } from '@adonisjs/core/http'
import { handleTokenRequest } from '#services/oidc/token_endpoint'

/** POST /identity/o/api/token (docs/endpoints.md#token-endpoint) */
export default class TokenController {
  async issue({ apiRequest, response }: HttpContext) {
    return response.json(await handleTokenRequest(apiRequest))
  }
}
