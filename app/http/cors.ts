/**
 * CORS (docs/endpoints.md#cors). Discovery and JWKS are open to every origin. The
 * API endpoints answer an Origin only when the client concerned (the
 * authenticated client, or the access token's client at userinfo) registered
 * it; before that client is known, any client's registration counts, so that
 * a browser can read the error. Credentials are never allowed.
 */
import type { HttpContext } from '@adonisjs/core/http'
import OidcClient from '#models/oidc_client'
import { isAllowedOriginScheme, originMatches } from '#services/oidc/protocol/redirect_uri'

const clientOfRequest = new WeakMap<HttpContext, OidcClient>()

export function publicCors(ctx: HttpContext) {
  ctx.response.header('Access-Control-Allow-Origin', '*')
}

/** OPTIONS on discovery and JWKS */
export function publicPreflight(ctx: HttpContext) {
  publicCors(ctx)
  ctx.response.header('Access-Control-Allow-Methods', 'GET, HEAD, OPTIONS')
  return ctx.response.status(204).send('')
}

/** Records which client a request concerns, once it is known */
export function setCorsClient(ctx: HttpContext, client: OidcClient) {
  clientOfRequest.set(ctx, client)
}

function clientAllows(client: OidcClient, origin: string) {
  return client.corsOrigins.some((registered) =>
    originMatches(registered, origin, client.allowUriWildcards)
  )
}

async function anyClientAllows(origin: string) {
  const clients = await OidcClient.query().whereNot('cors_origins', '')
  return clients.some((client) => clientAllows(client, origin))
}

/** Whether the request's Origin may read this response */
export async function originAllowed(ctx: HttpContext, origin: string) {
  if (!isAllowedOriginScheme(origin)) return false
  const client = clientOfRequest.get(ctx)
  return client ? clientAllows(client, origin) : anyClientAllows(origin)
}
