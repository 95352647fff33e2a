import type { HttpContext } from '@adonisjs/core/http'
import { message, type Message } from '#services/i18n/message'
import { clientIp } from '#http/client_ip'
import { redirectTo, tooManyRequests } from '#http/page_responses'
import { safeNextPath } from '#services/accounts/next_path'
import { currentProviderSession, recordAuthentication } from '#http/provider_session'
import { codeFactor } from '#services/mfa/code_factor'
import { combineMethods } from '#services/mfa/authentication_methods'
import { hitRateLimit } from '#services/rate_limits/rate_limits'
import { TooManyRequests } from '#services/oidc/protocol/errors'

/**
 * /accounts/2fa/reauthenticate/: a signed-in person confirms it is them with
 * a TOTP or recovery code instead of the password (allauth's
 * mfa_reauthenticate), under the `reauthenticate` rate limit.
 */
export default class ReauthenticateController {
  async show(ctx: HttpContext) {
    return this.#page(ctx, safeNextPath(ctx.request.qs().next), [])
  }

  async store(ctx: HttpContext) {
    const { user, amr } = (await currentProviderSession(ctx))!
    const next = safeNextPath(ctx.request.input('next'))
    try {
      await hitRateLimit('reauthenticate', { ip: clientIp(ctx.request), user: user.id })
    } catch (error) {
      if (error instanceof TooManyRequests) return tooManyRequests(ctx, error)
      throw error
    }
    const code = String(ctx.request.input('code') ?? '').trim()
    const proof = code ? await codeFactor.verify(user.id, code, ctx.session) : null
    if (!proof) return this.#page(ctx, next, [message('forms.incorrect_code')])
    /* the session keeps what it proved before: a code after a password is still two factors */
    recordAuthentication(ctx, combineMethods(amr, proof.methods))
    return redirectTo(ctx, next)
  }

  #page(ctx: HttpContext, next: string, errors: Message[]) {
    return ctx.view.render('mfa/reauthenticate', { next, errors })
  }
}
