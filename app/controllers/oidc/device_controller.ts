import type { HttpContext } from '@adonisjs/core/http'
import OidcClient from '#models/oidc_client'
import type OidcDeviceCode from '#models/oidc_device_code'
import { currentProviderSession } from '#http/provider_session'
import { decideDeviceCode, findPendingDeviceCode } from '#services/oidc/device/device_code_store'
import { formatUserCode } from '#services/oidc/protocol/user_code'
import { scopeChoices } from '#services/oidc/authorize/consent_page'
import { assertRateLimitLeft, hitRateLimit } from '#services/rate_limits/rate_limits'
import { TooManyRequests } from '#services/oidc/protocol/errors'
import { clientIp } from '#http/client_ip'
import { message, type Message } from '#services/i18n/message'

const INCORRECT = message('forms.incorrect_code')
const TOO_MANY = message('oidc.device_enter.too_many')

/**
 * /identity/o/device (docs/endpoints.md#device-page, login required): enter the user code,
 * confirm or deny, see the result. Wrong codes count against the
 * device_user_code rate limit.
 */
export default class DeviceController {
  async show(ctx: HttpContext) {
    const typed = ctx.request.qs().code
    if (typeof typed !== 'string' || !typed) return this.#enter(ctx)
    const code = await this.#lookUp(ctx, typed)
    if (!code)
      return ctx.response.getStatus() === 429
        ? this.#enter(ctx, TOO_MANY)
        : this.#enter(ctx, INCORRECT, typed)
    const client = await OidcClient.findOrFail(code.clientId)
    return ctx.view.render('oidc/device_confirm', {
      clientName: client.name,
      userCode: formatUserCode(code.userCode),
      scopes: scopeChoices(ctx.oidcAdapter, code.scopes),
    })
  }

  async decide(ctx: HttpContext) {
    const session = (await currentProviderSession(ctx))!
    const typed = String(ctx.request.input('code') ?? '')
    const code = await findPendingDeviceCode(typed)
    const approve = ctx.request.input('action') === 'confirm'
    if (
      !code ||
      !(await decideDeviceCode(code, session.user, session.authTime, session.amr, approve))
    ) {
      return this.#enter(ctx, INCORRECT, typed)
    }
    return ctx.view.render('oidc/device_done', { approved: approve })
  }

  #enter(ctx: HttpContext, error: Message | null = null, code = '') {
    return ctx.view.render('oidc/device_enter', { error, code })
  }

  /** The pending code, or null after counting the failure (and setting 429 once the limit is used up) */
  async #lookUp(ctx: HttpContext, typed: string): Promise<OidcDeviceCode | null> {
    const subject = { ip: clientIp(ctx.request) }
    try {
      await assertRateLimitLeft('device_user_code', subject)
      const code = await findPendingDeviceCode(typed)
      if (!code) await hitRateLimit('device_user_code', subject)
      return code
    } catch (error) {
      if (!(error instanceof TooManyRequests)) throw error
      ctx.response.status(429).header('Retry-After', error.headers['Retry-After'])
      return null
    }
  }
}
