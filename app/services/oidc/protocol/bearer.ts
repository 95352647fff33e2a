import type { HttpContext } from '@adonisjs/core/http'

/**
 * The access token of a resource request (RFC 6750 §2): `Authorization:
 * Bearer <token>` (scheme case-insensitive, exactly two parts), or, only on a
 * form POST without an Authorization header, `access_token` in the body.
 * Never from the query string (security.md S24).
 */
export function bearerToken(ctx: HttpContext, allowFormBody: boolean): string | null {
  const authorization = ctx.request.header('authorization')
  if (authorization !== undefined) {
    const parts = authorization.trim().split(/\s+/)
    return parts.length === 2 && parts[0].toLowerCase() === 'bearer' ? parts[1] : null
  }
  if (!allowFormBody || ctx.request.method() !== 'POST') return null
  const type = (ctx.request.header('content-type') ?? '').split(';')[0].trim().toLowerCase()
  if (type !== 'application/x-www-form-urlencoded') return null
  const token = new URLSearchParams(ctx.request.raw() ?? '').getAll('access_token')
  return token.length === 1 && token[0] ? token[0] : null
}
