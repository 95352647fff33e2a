/**
 * CORS (endpoints.md §0.6). Discovery and JWKS are open to every origin; the
 * API endpoints answer only origins registered by the client concerned.
 */
import type { HttpContext } from '@adonisjs/core/http'

export function publicCors(ctx: HttpContext) {
  ctx.response.header('Access-Control-Allow-Origin', '*')
}

/** OPTIONS on discovery and JWKS */
export function publicPreflight(ctx: HttpContext) {
  publicCors(ctx)
  ctx.response.header('Access-Control-Allow-Methods', 'GET, HEAD, OPTIONS')
  return ctx.response.status(204).send('')
}
