import type { HttpContext } from '@adonisjs/core/http'
import { responseDelivery, type AuthorizationResponse } from '#services/oidc/authorize/response'

/** Sends an authorization response: a redirect, or the form_post page */
export async function sendAuthorizationResponse(ctx: HttpContext, response: AuthorizationResponse) {
  const delivery = responseDelivery(response)
  if (delivery.kind === 'form_post') {
    return ctx.response.status(200).send(await ctx.view.render('oidc/form_post', delivery))
  }
  return ctx.response.status(delivery.status).header('Location', delivery.location).send('')
}
