import { mediaType } from '#services/oidc/protocol/parameters'

/** The parts of a resource request that may carry its access token */
export type BearerSource = {
  authorization: string | undefined
  method: string
  contentType: string | undefined
  body: string | null
}

/**
 * The access token of a resource request (RFC 6750 §2): `Authorization:
 * Bearer <token>` (scheme case-insensitive, exactly two parts), or, only on a
 * form POST without an Authorization header, `access_token` in the body.
 * Never from the query string (docs/security.md S24).
 */
export function bearerToken(source: BearerSource, allowFormBody: boolean): string | null {
  if (source.authorization !== undefined) {
    const parts = source.authorization.trim().split(/\s+/)
    return parts.length === 2 && parts[0].toLowerCase() === 'bearer' ? parts[1] : null
  }
  if (!allowFormBody || source.method !== 'POST') return null
  if (mediaType(source.contentType) !== 'application/x-www-form-urlencoded') return null
  const token = new URLSearchParams(source.body ?? '').getAll('access_token')
  return token.length === 1 && token[0] ? token[0] : null
}
