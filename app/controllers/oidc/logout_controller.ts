import type { HttpContext } from '@adonisjs/core/http'
import oidcConfig from '#config/oidc'
import { currentProviderSession, type ProviderSession } from '#http/provider_session'
import { signOut } from '#http/sign_out'
import {
  cleanLogoutRequest,
  logoutDestination,
  readLogoutParams,
  type LogoutRequest,
} from '#services/oidc/logout/request'
import { rawQuery } from '#http/request_parts'
import { revokeUserClientTokens } from '#services/oidc/tokens/token_store'

/** /identity/o/logout: RP-initiated logout (docs/endpoints.md#rp-initiated-logout) */
export default class LogoutController {
  async show(ctx: HttpContext) {
    const query = readLogoutParams(rawQuery(ctx.request))
    const request = await cleanLogoutRequest(query, ctx.oidcAdapter)
    const session = await currentProviderSession(ctx)
    if (await this.#mustAsk(ctx, request, session)) return this.#ask(ctx, request)
    return this.#act(ctx, request, session, true)
  }

  async submit(ctx: HttpContext) {
    const body = readLogoutParams(ctx.request.raw() ?? '')
    const request = await cleanLogoutRequest(body, ctx.oidcAdapter)
    const session = await currentProviderSession(ctx)
    if (!(await this.#mustAsk(ctx, request, session))) return this.#act(ctx, request, session, true)
    /* an RP's cross-site POST reaches the person through the ask page; the CSRF token was checked when sent */
    if (!body._csrf || !body.action) return this.#ask(ctx, request)
    return this.#act(ctx, request, session, body.action !== 'stay')
  }

  async #mustAsk(ctx: HttpContext, request: LogoutRequest, session: ProviderSession | null) {
    if (!session) return false
    if (oidcConfig.rpInitiatedLogoutAsksForOpLogout) return true
    if (!request.client || !request.hintSub) return true
    const hinted = await ctx.oidcAdapter.getUserBySub(request.client, request.hintSub)
    return hinted?.id !== session.user.id
  }

  #ask(ctx: HttpContext, request: LogoutRequest) {
    return ctx.view.render('oidc/logout', {
      params: Object.entries(request.params),
      clientName: request.client?.name ?? null,
    })
  }

  async #act(
    ctx: HttpContext,
    request: LogoutRequest,
    session: ProviderSession | null,
    opLogout: boolean
  ) {
    /* compat: the client's tokens for this user are revoked even when the person stays signed in */
    if (session && request.client) await revokeUserClientTokens(session.user.id, request.client.id)
    if (session && opLogout)
      await signOut(ctx, { via: 'rp_logout', clientId: request.client?.id ?? null })
    const status = ctx.request.method() === 'POST' ? 303 : 302
    return ctx.response.status(status).header('Location', logoutDestination(request)).send('')
  }
}
