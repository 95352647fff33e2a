import type { HttpContext } from '@adonisjs/core/http'
import { message, type Message } from '#services/i18n/message'
import { currentProviderSession } from '#http/provider_session'
import { redirectTo, siteOf } from '#http/page_responses'
import { MFA_PATHS } from '#services/mfa/paths'
import { assertTypeSupported } from '#services/mfa/supported_types'
import { findAuthenticator } from '#services/mfa/authenticator_store'
import { generateTotpSecret } from '#services/mfa/totp'
import {
  activationPage,
  confirmTotpActivation,
  deactivateTotp,
  totpAccountName,
} from '#services/mfa/manage_totp'

/* The secret being set up lives in the session until a code confirms it (as allauth keeps it) */
const SECRET_KEY = 'mfa_totp_secret'

/** /accounts/2fa/totp/activate/ and …/deactivate/ (reauth) */
export default class TotpController {
  async activateForm(ctx: HttpContext) {
    assertTypeSupported('totp')
    const { user } = (await currentProviderSession(ctx))!
    if (await findAuthenticator(user.id, 'totp')) return redirectTo(ctx, MFA_PATHS.totpDeactivate)
    return this.#activatePage(ctx, [])
  }

  async activate(ctx: HttpContext) {
    assertTypeSupported('totp')
    const { user } = (await currentProviderSession(ctx))!
    const secret = ctx.session.get(SECRET_KEY)
    const code = String(ctx.request.input('code') ?? '').trim()
    if (typeof secret !== 'string') return redirectTo(ctx, MFA_PATHS.totpActivate)
    if (!code) return this.#activatePage(ctx, [message('forms.required')])
    const result = await confirmTotpActivation(user.id, secret, code)
    if (result.outcome === 'incorrect')
      return this.#activatePage(ctx, [message('forms.incorrect_code')])
    ctx.session.forget(SECRET_KEY)
    if (result.outcome === 'already_active') return redirectTo(ctx, MFA_PATHS.index)
    ctx.session.flash('notices', [message('mfa.totp_activate.activated')])
    return redirectTo(ctx, result.firstRecoveryCodes ? MFA_PATHS.recoveryCodes : MFA_PATHS.index)
  }

  async deactivateForm(ctx: HttpContext) {
    assertTypeSupported('totp')
    const { user } = (await currentProviderSession(ctx))!
    if (!(await findAuthenticator(user.id, 'totp'))) return redirectTo(ctx, MFA_PATHS.totpActivate)
    return ctx.view.render('mfa/totp_deactivate')
  }

  async deactivate(ctx: HttpContext) {
    assertTypeSupported('totp')
    const { user } = (await currentProviderSession(ctx))!
    if (await deactivateTotp(user.id))
      ctx.session.flash('notices', [message('mfa.totp_deactivate.deactivated')])
    return redirectTo(ctx, MFA_PATHS.index)
  }

  async #activatePage(ctx: HttpContext, errors: Message[]) {
    const { user } = (await currentProviderSession(ctx))!
    let secret = ctx.session.get(SECRET_KEY)
    if (typeof secret !== 'string') {
      secret = generateTotpSecret()
      ctx.session.put(SECRET_KEY, secret)
    }
    const page = await activationPage(secret, await totpAccountName(user), siteOf(ctx).name)
    return ctx.view.render('mfa/totp_activate', { ...page, errors })
  }
}
