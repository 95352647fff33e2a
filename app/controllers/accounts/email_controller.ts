import type { HttpContext } from '@adonisjs/core/http'
import { currentProviderSession } from '#http/provider_session'
import {
  addAddress,
  listAddresses,
  makePrimary,
  removeAddress,
  resendAddressVerification,
  type AddressChange,
} from '#services/accounts/email_addresses/manage_addresses'
import { rememberPendingVerification } from '#services/accounts/email_verification/pending'
import { readForm } from '#services/accounts/forms/form_errors'
import { redirectTo, siteOf, tooManyRequests } from '#http/page_responses'
import { ACCOUNT_PATHS } from '#services/accounts/paths'
import { checkRecentAuthentication } from '#http/recent_authentication'
import { clientIp } from '#http/client_ip'
import { hitRateLimit } from '#services/rate_limits/rate_limits'
import { TooManyRequests } from '#services/oidc/protocol/errors'
import { emailValidator } from '#validators/accounts'
import { message } from '#services/i18n/message'
import type { FormErrors } from '#services/accounts/forms/form_errors'

/** Actions that change which addresses sign in: only after a recent authentication */
const REAUTHENTICATED_ACTIONS = ['action_add', 'action_primary', 'action_remove']
const ACTIONS = [...REAUTHENTICATED_ACTIONS, 'action_send']

/** /accounts/email/ (docs/accounts.md, Email addresses); signed-in only (auth middleware) */
export default class EmailController {
  async index(ctx: HttpContext) {
    const session = (await currentProviderSession(ctx))!
    return this.#page(ctx, session.user.id, {})
  }

  async update(ctx: HttpContext) {
    const { request, session } = ctx
    const provider = (await currentProviderSession(ctx))!
    const user = provider.user
    const action = ACTIONS.find((name) => request.input(name) !== undefined)
    if (!action) return redirectTo(ctx, ACCOUNT_PATHS.email)
    if (
      REAUTHENTICATED_ACTIONS.includes(action) &&
      !(await checkRecentAuthentication(ctx, ACCOUNT_PATHS.email))
    )
      return

    const form = await readForm(emailValidator, request.only(['email']))
    if (form.errors) {
      /* the add form shows its own error; the list's actions need a chosen address */
      if (action === 'action_add')
        return this.#page(ctx, user.id, { email: form.errors.email }, request.input('email'))
      session.flash('problems', [message('accounts.email.select')])
      return redirectTo(ctx, ACCOUNT_PATHS.email)
    }
    const { email } = form.values
    const ip = clientIp(request)
    let change: AddressChange
    try {
      await hitRateLimit('manage_email', { ip, user: user.id })
      change =
        action === 'action_add'
          ? await addAddress(user, email, siteOf(ctx), ip)
          : action === 'action_send'
            ? await resendAddressVerification(user, email, siteOf(ctx), ip)
            : action === 'action_primary'
              ? await makePrimary(user, email)
              : await removeAddress(user, email)
    } catch (error) {
      if (error instanceof TooManyRequests) return tooManyRequests(ctx, error)
      throw error
    }
    if ('problem' in change) {
      if (action === 'action_add')
        return this.#page(ctx, user.id, { email: [change.problem] }, email)
      session.flash('problems', [change.problem])
      return redirectTo(ctx, ACCOUNT_PATHS.email)
    }
    session.flash('notices', [change.done])
    if (change.confirmationId && change.email) {
      /* code mode: the code page, then back here */
      rememberPendingVerification(session, {
        email: change.email,
        userId: user.id,
        confirmationId: change.confirmationId,
        next: ACCOUNT_PATHS.email,
        signIn: false,
      })
      return redirectTo(ctx, ACCOUNT_PATHS.confirmEmail)
    }
    return redirectTo(ctx, ACCOUNT_PATHS.email)
  }

  async #page(ctx: HttpContext, userId: number, errors: FormErrors, typed = '') {
    const addresses = await listAddresses(userId)
    return ctx.view.render('accounts/email', {
      addresses: addresses.map(({ email, verified, primary }) => ({ email, verified, primary })),
      errors,
      typed,
    })
  }
}
