import type { HttpContext } from '@adonisjs/core/http'
import { discoveryDocument } from '#services/oidc/discovery'
import { publicCors } from '#http/cors'

/** GET /.well-known/openid-configuration (docs/endpoints.md#discovery), and the same at the RFC 8414 path */
export default class DiscoveryController {
  async show(ctx: HttpContext) {
    publicCors(ctx)
    ctx.response.header('Cache-Control', 'public, max-age=300')
    return ctx.response.json(await discoveryDocument(ctx.oidcAdapter))
  }
}
