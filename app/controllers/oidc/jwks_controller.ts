import type { HttpContext } from '@adonisjs/core/http'
import keyStore from '#services/oidc/keys/key_store'
import { publicCors } from '#http/cors'

/** GET /.well-known/jwks.json (docs/endpoints.md#jwks) */
export default class JwksController {
  async show(ctx: HttpContext) {
    publicCors(ctx)
    ctx.response.header('Cache-Control', 'public, max-age=300')
    return ctx.response.json(await keyStore.jwks())
  }
}
