import type { HttpContext } from '@adonisjs/core/http'
import {
  decideAuthorization,
  decideConsent,
  readParams,
  type AuthorizeOutcome,
} from '#services/oidc/authorize/decision'
import { currentProviderSession } from '#http/provider_session'
import { sendAuthorizationResponse } from '#http/authorization_response'
import { redirectToLogin } from '#http/login_redirect'
import { rawQuery } from '#http/request_parts'
import { forgetFlowLocale } from '#middleware/flow_locale_middleware'
import { clientIp } from '#http/client_ip'
import { redirectTo } from '#http/page_responses'
import { beginStepUp } from '#http/sign_in_steps'

/** /identity/o/authorize (docs/endpoints.md#authorization-endpoint) */
export default class AuthorizeController {
  /** GET: an authorization request */
  async show(ctx: HttpContext) {
    const query = rawQuery(ctx.request)
    return this.#render(ctx, await decideAuthorization(await this.#requester(ctx), query))
  }

  /** POST: the consent form (an authorization request sent by POST was redirected by authorize_by_post) */
  async store(ctx: HttpContext) {
    const form = readParams(ctx.request.raw() ?? '')
    return this.#render(ctx, await decideConsent(await this.#requester(ctx), form))
  }

  async #requester(ctx: HttpContext) {
    return {
      adapter: ctx.oidcAdapter,
      session: await currentProviderSession(ctx),
      ip: clientIp(ctx.request),
    }
  }

  async #render(ctx: HttpContext, outcome: AuthorizeOutcome) {
    switch (outcome.kind) {
      case 'login':
        return redirectToLogin(ctx, outcome.next, outcome.loginHint)
      case 'second_factor':
        return redirectTo(ctx, await beginStepUp(ctx, outcome.next))
      case 'consent':
        return ctx.view.render('oidc/consent', outcome.page)
      case 'respond':
        forgetFlowLocale(ctx)
        return sendAuthorizationResponse(ctx, outcome.response)
    }
  }
}
