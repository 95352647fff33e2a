/**
 * The raw parts of a request that the protocol reads itself, strictly,
 * instead of through the framework's lenient parsers.
 */
import type { HttpRequest } from '@adonisjs/core/http'
import type { BearerSource } from '#services/oidc/protocol/bearer'

/** The query string as sent, without the `?` */
export function rawQuery(request: HttpRequest): string {
  const url = request.request.url ?? ''
  return url.includes('?') ? url.slice(url.indexOf('?') + 1) : ''
}

/** The parts of a request that may carry an access token (RFC 6750 §2) */
export function bearerSource(request: HttpRequest): BearerSource {
  return {
    authorization: request.header('authorization'),
    method: request.method(),
    contentType: request.header('content-type'),
    body: request.raw(),
  }
}
