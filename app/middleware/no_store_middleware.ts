import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'

/**
 * Nothing the provider answers may be cached (RFC 6749 §5.1, RFC 9700 §4.16):
 * every response, errors included, carries `Cache-Control: no-store` and
 * `Pragma: no-cache` unless its controller chose a cache policy (discovery,
 * JWKS, the stylesheet). Set while the error handler has yet to run, so its
 * responses get the headers too.
 */
export default class NoStoreMiddleware {
  async handle({ response }: HttpContext, next: NextFn) {
    try {
      return await next()
    } finally {
      if (response.getHeader('cache-control') === undefined) {
        response.header('Cache-Control', 'no-store').header('Pragma', 'no-cache')
      }
    }
  }
}
