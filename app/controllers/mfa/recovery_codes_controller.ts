import type { HttpContext } from '@adonisjs/core/http'
import { message } from '#services/i18n/message'
import { currentProviderSession } from '#http/provider_session'
import { redirectTo } from '#http/page_responses'
import { MFA_PATHS } from '#services/mfa/paths'
import { assertTypeSupported } from '#services/mfa/supported_types'
import { recoveryCodesOf, overviewOf } from '#services/mfa/overview'
import { replaceRecoveryCodes } from '#services/mfa/recovery_codes'
import { OAuthError } from '#services/oidc/protocol/errors'

const notFound = () =>
  new OAuthError('not_found', 'The page you are looking for does not exist.', 404).asPage()

/** /accounts/2fa/recovery-codes/ (+ download/, and generate/ after reauthentication) */
export default class RecoveryCodesController {
  async show(ctx: HttpContext) {
    assertTypeSupported('recovery_codes')
    const { user } = (await currentProviderSession(ctx))!
    const codes = await recoveryCodesOf(user.id)
    if (!codes) throw notFound()
    return ctx.view.render('mfa/recovery_codes', codes)
  }

  async download(ctx: HttpContext) {
    assertTypeSupported('recovery_codes')
    const { user } = (await currentProviderSession(ctx))!
    const codes = await recoveryCodesOf(user.id)
    if (!codes) throw notFound()
    ctx.response.header('Content-Type', 'text/plain; charset=utf-8')
    ctx.response.header('Content-Disposition', 'attachment; filename="recovery-codes.txt"')
    return codes.unused.map((code) => `${code}\n`).join('')
  }

  async generateForm(ctx: HttpContext) {
    assertTypeSupported('recovery_codes')
    const { user } = (await currentProviderSession(ctx))!
    const overview = await overviewOf(user.id)
    return ctx.view.render('mfa/recovery_codes_generate', {
      canGenerate: overview.recoveryCodes!.canGenerate,
      replaces: overview.recoveryCodes!.codes !== null,
    })
  }

  async generate(ctx: HttpContext) {
    assertTypeSupported('recovery_codes')
    const { user } = (await currentProviderSession(ctx))!
    if (!(await replaceRecoveryCodes(user.id))) {
      return ctx.view.render('mfa/recovery_codes_generate', {
        canGenerate: false,
        replaces: false,
        error: message('mfa.recovery_codes_generate.not_enabled'),
      })
    }
    ctx.session.flash('notices', [message('mfa.recovery_codes_generate.generated')])
    return redirectTo(ctx, MFA_PATHS.recoveryCodes)
  }
}
