import type { HttpContext } from '@adonisjs/core/http'
import { attemptLogin } from '#services/accounts/credentials'
import { safeNextPath } from '#services/accounts/next_path'
import { startProviderSession } from '#services/accounts/provider_session'
import { loginFailures } from '#services/observability/metrics'
import { clientIp } from '#http/client_ip'

/** A form field sent once; anything else (absent, repeated) counts as empty */
const field = (value: unknown) => (typeof value === 'string' ? value : '')

/** /accounts/login/ (endpoints.md §11) */
export default class LoginController {
  async show({ request, view }: HttpContext) {
    return view.render('accounts/login', {
      next: safeNextPath(request.qs().next),
      login: field(request.qs().login),
    })
  }

  async store(ctx: HttpContext) {
    const { request, response, view } = ctx
    const login = field(request.input('login'))
    const next = safeNextPath(request.input('next'))
    const ip = clientIp(request)

    const attempt = await attemptLogin(login, field(request.input('password')), ip)
    if ('failure' in attempt) {
      ctx.logger.info({ reason: attempt.failure, ip }, 'login failed')
      loginFailures.inc({ reason: attempt.failure })
      if (attempt.failure === 'rate_limited')
        response.status(429).header('Retry-After', attempt.retryAfter)
      return view.render('accounts/login', { next, login, error: attempt.message })
    }

    await startProviderSession(ctx, attempt.user)
    return response.status(303).header('Location', next).send('')
  }
}
