import type { HttpContext } from '@adonisjs/core/http'
import { message, type Message } from '#services/i18n/message'
import User from '#models/user'
import { clientIp } from '#http/client_ip'
import { redirectTo } from '#http/page_responses'
import { PATHS } from '#services/oidc/protocol/paths'
import {
  currentProviderSession,
  recordAuthentication,
  startProviderSession,
} from '#http/provider_session'
import {
  claimSignInStage,
  dropSignInStage,
  pendingSignIn,
  type PendingSignIn,
} from '#services/mfa/sign_in_stage'
import { attemptSecondFactor, offeredMethods } from '#services/mfa/second_factor'
import { combineMethods } from '#services/mfa/authentication_methods'
import { loginFailures } from '#services/observability/metrics'
import { recordEvent } from '#services/audit/record_event'

const INCORRECT_CODE = message('forms.incorrect_code')
const TOO_MANY = message('accounts.login.errors.rate_limited')

/** /accounts/2fa/authenticate/: the second step of a sign-in that passed its password */
export default class AuthenticateController {
  async show(ctx: HttpContext) {
    const pending = await this.#pending(ctx)
    if (!pending) return redirectTo(ctx, PATHS.login)
    return this.#page(ctx, pending, null)
  }

  async store(ctx: HttpContext) {
    const pending = await this.#pending(ctx)
    if (!pending) return redirectTo(ctx, PATHS.login)
    const user = await User.find(pending.userId)
    if (!user?.isActive) {
      await dropSignInStage(ctx.session)
      return redirectTo(ctx, PATHS.login)
    }

    const ip = clientIp(ctx.request)
    const attempt = await attemptSecondFactor(user.id, ctx.request.all(), ip, ctx.session)
    if ('failure' in attempt) {
      await recordEvent(
        'sign_in.failed',
        { userId: user.id, ip, data: { method: 'second_factor', reason: attempt.failure } },
        { logger: ctx.logger }
      )
      loginFailures.inc({ reason: `mfa_${attempt.failure}` })
      if (attempt.failure === 'rate_limited') {
        ctx.response.status(429).header('Retry-After', attempt.retryAfter)
        return this.#page(ctx, pending, TOO_MANY)
      }
      return this.#page(ctx, pending, INCORRECT_CODE)
    }

    /* a copy of this cookie completing the same sign-in at the same time gets nothing */
    if (!(await claimSignInStage(ctx.session, pending))) return redirectTo(ctx, PATHS.login)
    const amr = combineMethods(pending.methods, attempt.proof.methods)
    const signedIn = await currentProviderSession(ctx)
    if (pending.purpose === 'step_up' && signedIn?.user.id === user.id)
      recordAuthentication(ctx, amr)
    else await startProviderSession(ctx, user, 'password', amr)
    return redirectTo(ctx, pending.next)
  }

  /** The waiting sign-in, unless its user has no second factor left (then it is dropped) */
  async #pending(ctx: HttpContext): Promise<PendingSignIn | null> {
    const pending = await pendingSignIn(ctx.session)
    const methods = pending ? await offeredMethods(pending.userId) : []
    if (pending && !methods.length) {
      await dropSignInStage(ctx.session)
      return null
    }
    return pending
  }

  async #page(ctx: HttpContext, pending: PendingSignIn, error: Message | null) {
    const methods = await offeredMethods(pending.userId)
    const scriptData: Record<string, unknown> = {}
    for (const method of methods)
      if (method.pageData)
        Object.assign(scriptData, await method.pageData(pending.userId, ctx.session))
    return ctx.view.render('mfa/authenticate', {
      fields: methods.map((method) => method.field),
      /* `<` escaped, so that no value can close the script element */
      scriptJson: Object.keys(scriptData).length
        ? JSON.stringify(scriptData).replace(/</g, '\\u003c')
        : null,
      error,
    })
  }
}
