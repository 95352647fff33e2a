import type { HttpContext } from '@adonisjs/core/http'
import { PATHS } from '#services/oidc/paths'

/**
 * Sends the browser to the login page with `next` (endpoints.md §0.5): 302
 * after a GET, 303 after a POST.
 */
export function loginGate(ctx: HttpContext, next: string, loginHint?: string | null) {
  const query = new URLSearchParams({ next })
  if (loginHint) query.set('login', loginHint)
  ctx.response.status(ctx.request.method() === 'GET' || ctx.request.method() === 'HEAD' ? 302 : 303)
  ctx.response.header('Location', `${PATHS.login}?${query}`)
  return ctx.response.send('')
}

/**
 * `next` must be a same-site path: `/x`, never `//x`, `/\x` or anything that
 * a browser would resolve to another origin (security.md §2).
 */
export function safeNextPath(next: unknown): string {
  if (typeof next !== 'string' || !next.startsWith('/') || next.startsWith('//') || next.includes('\\')) return '/'
  if (/[\u0000-\u001f]/.test(next)) return '/'
  const base = 'http://same.invalid'
  const resolved = URL.canParse(next, base) ? new URL(next, base) : null
  return resolved?.origin === base ? resolved.pathname + resolved.search + resolved.hash : '/'
}
