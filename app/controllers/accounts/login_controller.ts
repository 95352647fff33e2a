import type { HttpContext } from '@adonisjs/core/http'
import User from '#models/user'
import { sqlTime } from '#models/columns'
import { verifyCredentials } from '#services/accounts/credentials'
import { safeNextPath } from '#services/accounts/login_gate'
import { startProviderSession } from '#services/accounts/provider_session'
import { assertRateLimitLeft, hitRateLimit } from '#services/oidc/rate_limits'
import { TooManyRequests } from '#services/oidc/errors'
import { clientIp } from '#services/oidc/client_ip'

const BAD_CREDENTIALS = 'The login and/or password you specified are not correct.'
const INACTIVE = 'This account is inactive.'
const TOO_MANY = 'Too many failed login attempts. Try again later.'

/** /accounts/login/ (endpoints.md §11) */
export default class LoginController {
  async show({ request, view }: HttpContext) {
    return view.render('accounts/login', {
      next: safeNextPath(request.qs().next),
      login: typeof request.qs().login === 'string' ? request.qs().login : '',
    })
  }

  async store(ctx: HttpContext) {
    const { request, response, view } = ctx
    const login = String(request.input('login') ?? '')
    const password = String(request.input('password') ?? '')
    const next = safeNextPath(request.input('next') ?? request.qs().next)
    const ip = clientIp(request)
    const form = (error: string, status = 200) => {
      response.status(status)
      return view.render('accounts/login', { next, login, error })
    }

    try {
      await hitRateLimit('login', { ip })
      await assertRateLimitLeft('login_failed', { ip, key: login.toLowerCase() })
    } catch (error) {
      if (!(error instanceof TooManyRequests)) throw error
      response.header('Retry-After', error.headers['Retry-After'])
      return form(TOO_MANY, 429)
    }

    const user = await verifyCredentials(login, password)
    if (!user) {
      await hitRateLimit('login_failed', { ip, key: login.toLowerCase() }).catch((error) => {
        if (!(error instanceof TooManyRequests)) throw error
      })
      ctx.logger.info({ reason: 'bad_credentials', ip }, 'login failed')
      return form(BAD_CREDENTIALS)
    }
    if (!user.isActive) return form(INACTIVE)

    await startProviderSession(ctx, user)
    /* a query, not save(): signing in must not move `updated_at`, which is a profile claim */
    await User.query().where('id', user.id).update({ last_login_at: sqlTime() })
    return response.status(303).header('Location', next).send('')
  }
}
