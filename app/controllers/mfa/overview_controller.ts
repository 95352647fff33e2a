import type { HttpContext } from '@adonisjs/core/http'
import { currentProviderSession } from '#http/provider_session'
import { overviewOf } from '#services/mfa/overview'

/** /accounts/2fa/: the user's second factors, with links to manage each */
export default class OverviewController {
  async show(ctx: HttpContext) {
    const { user } = (await currentProviderSession(ctx))!
    return ctx.view.render('mfa/index', await overviewOf(user.id))
  }
}
