import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import { JSON_PATHS } from '#services/oidc/protocol/paths'
import { randomString } from '#services/oidc/protocol/random'

/**
 * Headers every HTML page carries (docs/endpoints.md#html-pages, docs/security.md S10): no
 * framing, no referrer, and a CSP that allows only our stylesheet, our own
 * script files (the security-key pages') and inline scripts bearing this
 * response's nonce (the form_post page uses one); scripts may call back to
 * this origin only (the passkey sign-in fetches its challenge).
 */
export function pageSecurityHeaders(nonce: string): Record<string, string> {
  return {
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'no-referrer',
    'Content-Security-Policy': `default-src 'none'; style-src 'self'; img-src 'self' data:; script-src 'nonce-${nonce}' 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'`,
  }
}

export default class PageSecurityMiddleware {
  async handle(ctx: HttpContext, next: NextFn) {
    if (JSON_PATHS.test(ctx.request.url())) return next()
    const nonce = randomString(16, 'base64')
    ctx.view.share({ cspNonce: nonce })
    await next()
    const type = ctx.response.getHeader('content-type')
    if (typeof type === 'string' && !type.startsWith('text/html')) return
    if (type === undefined && typeof ctx.response.content?.[0] !== 'string') return
    for (const [name, value] of Object.entries(pageSecurityHeaders(nonce)))
      ctx.response.header(name, value)
  }
}
