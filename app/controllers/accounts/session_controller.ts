import type { HttpContext } from '@adonisjs/core/http'
import { currentProviderSession, endProviderSession } from '#services/accounts/provider_session'
import { PATHS } from '#services/oidc/paths'

/** The account home page and POST /accounts/logout/ (endpoints.md §11) */
export default class SessionController {
  async home(ctx: HttpContext) {
    const session = await currentProviderSession(ctx)
    return ctx.view.render('accounts/home', { user: session?.user ?? null })
  }

  async destroy(ctx: HttpContext) {
    await endProviderSession(ctx)
    return ctx.response.status(303).header('Location', PATHS.login).send('')
  }
}
