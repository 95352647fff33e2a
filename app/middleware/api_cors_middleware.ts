import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import { originAllowed } from '#http/cors'

/**
 * CORS of the API endpoints (docs/endpoints.md#cors): preflights are answered here
 * (204, with the CORS headers only for a registered origin); other requests
 * get Access-Control-Allow-Origin after the endpoint has run, errors included.
 */
export default class ApiCorsMiddleware {
  async handle(ctx: HttpContext, next: NextFn, options: { methods: string }) {
    ctx.response.header('Vary', 'Origin')
    const origin = ctx.request.header('origin')
    if (ctx.request.method() === 'OPTIONS') {
      if (origin && (await originAllowed(ctx, origin))) {
        ctx.response.header('Access-Control-Allow-Origin', origin)
        ctx.response.header('Access-Control-Allow-Methods', options.methods)
        ctx.response.header('Access-Control-Allow-Headers', 'Authorization, Content-Type')
        ctx.response.header('Access-Control-Max-Age', '600')
      }
      return ctx.response.status(204).send('')
    }
    if (!origin) return next()
    try {
      return await next()
    } finally {
      if (await originAllowed(ctx, origin))
        ctx.response.header('Access-Control-Allow-Origin', origin)
    }
  }
}
