import type { HttpContext } from '@adonisjs/core/http'
import { PATHS } from '#services/oidc/protocol/paths'

/**
 * Sends the browser to the login page with `next` (docs/endpoints.md#html-pages): 302
 * after a GET, 303 after a POST.
 */
export function redirectToLogin(ctx: HttpContext, next: string, loginHint?: string | null) {
  const query = new URLSearchParams({ next })
  if (loginHint) query.set('login', loginHint)
  ctx.response.status(ctx.request.method() === 'GET' || ctx.request.method() === 'HEAD' ? 302 : 303)
  ctx.response.header('Location', `${PATHS.login}?${query}`)
  return ctx.response.send('')
}
