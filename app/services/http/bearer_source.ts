import type { HttpRequest } from '@adonisjs/core/http'
import type { BearerSource } from '#services/oidc/protocol/bearer'

/** The parts of a request that may carry an access token (RFC 6750 §2) */
export function bearerSource(request: HttpRequest): BearerSource {
  return {
    authorization: request.header('authorization'),
    method: request.method(),
    contentType: request.header('content-type'),
    body: request.raw(),
  }
}
