/**
 * Delivers an authorization response (success or error) to a redirect URI that
 * has already matched, in its response mode (endpoints.md §3.4): query or
 * fragment as a 302 (303 after a POST), or form_post as an auto-submitting page.
 */
import type { HttpContext } from '@adonisjs/core/http'
import type { ResponseMode } from '#services/oidc/protocol/errors'

export type AuthorizationTarget = {
  redirectUri: string
  responseMode: ResponseMode
  answersPost: boolean
}

export async function sendAuthorizationResponse(
  ctx: HttpContext,
  target: AuthorizationTarget,
  params: Record<string, string>
) {
  if (target.responseMode === 'form_post') {
    ctx.response.status(200)
    return ctx.response.send(
      await ctx.view.render('oidc/form_post', {
        action: target.redirectUri,
        fields: Object.entries(params),
      })
    )
  }
  const url = new URL(target.redirectUri)
  if (target.responseMode === 'query') {
    for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value)
  } else {
    url.hash = new URLSearchParams(params).toString()
  }
  ctx.response.status(target.answersPost ? 303 : 302).header('Location', url.href)
  return ctx.response.send('')
}
