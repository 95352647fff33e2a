import type { HttpContext } from '@adonisjs/core/http'
import OidcClient from '#models/oidc_client'
import { currentProviderSession } from '#http/provider_session'
import { listConsents, revokeConsent } from '#services/oidc/authorize/consent_store'
import { scopeChoices } from '#services/oidc/authorize/consent_page'
import {
  listDeviceAuthorizations,
  revokeDeviceAuthorization,
} from '#services/oidc/device/device_authorizations'
import { PATHS } from '#services/oidc/protocol/paths'
import { recordEvent } from '#services/audit/record_event'
import { clientIp } from '#http/client_ip'

/**
 * /accounts/grants/: the applications the signed-in user has authorized (each
 * consent) and the devices let in with a code, worded as the consent page
 * words their scopes, and revoking either (docs/endpoints.md#account-pages)
 */
export default class GrantsController {
  async index(ctx: HttpContext) {
    const userId = (await currentProviderSession(ctx))!.user.id
    const [consents, devices] = await Promise.all([
      listConsents(userId),
      listDeviceAuthorizations(userId),
    ])
    const clientIds = [...new Set([...consents, ...devices].map((grant) => grant.clientId))]
    const found = await OidcClient.findMany(clientIds)
    const clients = new Map(found.map((client) => [client.id, client.name]))
    const nameOf = (clientId: string) => clients.get(clientId) || clientId
    return ctx.view.render('accounts/grants', {
      grants: consents.map((consent) => ({
        clientId: consent.clientId,
        clientName: nameOf(consent.clientId),
        scopes: scopeChoices(ctx.oidcAdapter, consent.scopes),
        grantedAt: consent.updatedAt.toJSDate(),
        expiresAt: consent.expiresAt.toJSDate(),
      })),
      devices: devices.map((device) => ({
        familyId: device.familyId,
        clientName: nameOf(device.clientId),
        scopes: scopeChoices(ctx.oidcAdapter, device.scopes),
        grantedAt: device.authorizedAt.toJSDate(),
        expiresAt: device.expiresAt?.toJSDate() ?? null,
      })),
    })
  }

  async update(ctx: HttpContext) {
    const userId = (await currentProviderSession(ctx))!.user.id
    const {
      action,
      client_id: clientId,
      family,
    } = ctx.request.only(['action', 'client_id', 'family'])
    if (action === 'revoke' && typeof clientId === 'string') {
      if (await revokeConsent(userId, clientId))
        await recordEvent(
          'consent.revoked',
          { userId, clientId, ip: clientIp(ctx.request) },
          { logger: ctx.logger }
        )
    }
    if (action === 'revoke_device' && typeof family === 'string')
      await revokeDeviceAuthorization(userId, family)
    return ctx.response.status(303).header('Location', PATHS.grants).send('')
  }
}
