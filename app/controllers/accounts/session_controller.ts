import type { HttpContext } from '@adonisjs/core/http'
import { loginName } from '#services/accounts/credentials'
import { currentProviderSession } from '#http/provider_session'
import { signOut } from '#http/sign_out'
import { PATHS } from '#services/oidc/protocol/paths'

/** The account home page and /accounts/logout/ (docs/endpoints.md#account-pages) */
export default class SessionController {
  async home(ctx: HttpContext) {
    const session = await currentProviderSession(ctx)
    return ctx.view.render('accounts/home', {
      name: session ? await loginName(session.user) : null,
    })
  }

  /** GET: asks before signing out, as allauth does (its users' "Sign out" links are GETs) */
  async confirmSignOut(ctx: HttpContext) {
    const session = await currentProviderSession(ctx)
    if (!session) return ctx.response.status(302).header('Location', PATHS.login).send('')
    return ctx.view.render('accounts/logout', { name: await loginName(session.user) })
  }

  /** POST: signs out */
  async destroy(ctx: HttpContext) {
    await signOut(ctx, { via: 'logout_page' })
    return ctx.response.status(303).header('Location', PATHS.login).send('')
  }
}
