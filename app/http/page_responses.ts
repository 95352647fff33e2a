/**
 * What every account page answers with: redirects as the provider's pages
 * give them (302 after a GET, 303 after a POST), the "Too Many Requests" page
 * with Retry-After, and the site a page's mails speak for.
 */
import type { HttpContext } from '@adonisjs/core/http'
import { mailSite } from '#services/accounts/mail/compose'
import type { TooManyRequests } from '#services/oidc/protocol/errors'

export function redirectTo(ctx: HttpContext, location: string) {
  const method = ctx.request.method()
  ctx.response.status(method === 'GET' || method === 'HEAD' ? 302 : 303)
  ctx.response.header('Location', location)
  return ctx.response.send('')
}

export async function tooManyRequests(ctx: HttpContext, error: TooManyRequests) {
  ctx.response.status(429).header('Retry-After', error.headers['Retry-After'])
  return ctx.view.render('accounts/too_many_requests')
}

/** The site mails from this request speak for: SITE_NAME, links on the issuer's origin, the page's language */
export const siteOf = (ctx: HttpContext) => mailSite(ctx.oidcAdapter.getIssuer(), ctx.i18n.locale)

/** An account path carrying `next`, unless `next` is where a sign-in lands anyway */
export function withNext(path: string, next: string) {
  return next && next !== '/' ? `${path}?${new URLSearchParams({ next })}` : path
}
