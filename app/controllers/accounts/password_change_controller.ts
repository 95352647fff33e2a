import { message } from '#services/i18n/message'
import type { HttpContext } from '@adonisjs/core/http'
import { currentProviderSession } from '#http/provider_session'
import { loginName, passwordMatches } from '#services/accounts/credentials'
import { readNewPassword, setNewPassword } from '#services/accounts/passwords/new_password'
import { addError, formField } from '#services/accounts/forms/form_errors'
import { announceEndedSessions } from '#services/accounts/sign_out'
import { redirectTo, siteOf, tooManyRequests } from '#http/page_responses'
import { ACCOUNT_PATHS } from '#services/accounts/paths'
import { clientIp } from '#http/client_ip'
import { hitRateLimit } from '#services/rate_limits/rate_limits'
import { TooManyRequests } from '#services/oidc/protocol/errors'
import { changePasswordValidator } from '#validators/accounts'

/** /accounts/password/change/ (docs/accounts.md, Password change); signed-in only */
export default class PasswordChangeController {
  async show(ctx: HttpContext) {
    const { user } = (await currentProviderSession(ctx))!
    return ctx.view.render('accounts/password_change', {
      account: await loginName(user),
      errors: {},
    })
  }

  /** The old password, the new one twice; this session stays, the others end */
  async update(ctx: HttpContext) {
    const { request, session, view } = ctx
    const provider = (await currentProviderSession(ctx))!
    try {
      await hitRateLimit('change_password', { ip: clientIp(request), user: provider.user.id })
    } catch (error) {
      if (error instanceof TooManyRequests) return tooManyRequests(ctx, error)
      throw error
    }
    const user = provider.user
    const form = await readNewPassword(
      changePasswordValidator,
      request.only(['oldpassword', 'password1', 'password2']),
      user
    )
    const errors = form.errors ?? {}
    if (
      !errors.oldpassword &&
      !(await passwordMatches(user, formField(request.input('oldpassword'))))
    )
      addError(errors, 'oldpassword', message('accounts.password_change.errors.wrong_old_password'))
    if (!form.values || Object.keys(errors).length)
      return view.render('accounts/password_change', { account: await loginName(user), errors })

    /* a Django hash was just rewritten with ours: the change applies to that one */
    await user.refresh()
    const result = await setNewPassword(user, form.values.password1, {
      reason: 'change',
      keepSid: provider.sid,
      site: siteOf(ctx),
    })
    if (!result.set) {
      session.flash('problems', [message('accounts.password_change.changed_meanwhile')])
      return redirectTo(ctx, ACCOUNT_PATHS.passwordChange)
    }
    await announceEndedSessions(ctx.oidcAdapter, result.endedSids)
    session.flash('notices', [message('accounts.password_change.changed')])
    return redirectTo(ctx, ACCOUNT_PATHS.passwordChange)
  }
}
