import type { HttpContext } from '@adonisjs/core/http'
import { loginName } from '#services/accounts/credentials'
import { currentProviderSession } from '#services/accounts/provider_session'
import { signOut } from '#services/accounts/sign_out'
import { PATHS } from '#services/oidc/protocol/paths'

/** The account home page and POST /accounts/logout/ (docs/endpoints.md#account-pages) */
export default class SessionController {
  async home(ctx: HttpContext) {
    const session = await currentProviderSession(ctx)
    return ctx.view.render('accounts/home', {
      name: session ? await loginName(session.user) : null,
    })
  }

  async destroy(ctx: HttpContext) {
    await signOut(ctx, { via: 'logout_page' })
    return ctx.response.status(303).header('Location', PATHS.login).send('')
  }
}
