import type { HttpContext } from '@adonisjs/core/http'
import OidcClient from '#models/oidc_client'
import { currentProviderSession } from '#services/accounts/provider_session'
import { listConsents, revokeConsent } from '#services/oidc/authorize/consent_store'
import { PATHS } from '#services/oidc/protocol/paths'
import { recordEvent } from '#services/audit/record_event'
import { clientIp } from '#http/client_ip'

/** /accounts/grants/: what the signed-in user has authorized, and revoking it (docs/endpoints.md#account-pages) */
export default class GrantsController {
  async index(ctx: HttpContext) {
    const session = (await currentProviderSession(ctx))!
    const consents = await listConsents(session.user.id)
    const found = await OidcClient.findMany(consents.map((consent) => consent.clientId))
    const clients = new Map(found.map((client) => [client.id, client]))
    return ctx.view.render('accounts/grants', {
      grants: consents.map((consent) => ({
        clientId: consent.clientId,
        clientName: clients.get(consent.clientId)?.name ?? consent.clientId,
        scopes: consent.scopes.join(' '),
        grantedOn: consent.updatedAt.toISODate(),
        expiresOn: consent.expiresAt.toISODate(),
      })),
    })
  }

  async update(ctx: HttpContext) {
    const session = (await currentProviderSession(ctx))!
    const clientId = ctx.request.input('client_id')
    if (ctx.request.input('action') === 'revoke' && typeof clientId === 'string') {
      if (await revokeConsent(session.user.id, clientId))
        await recordEvent(
          'consent.revoked',
          { userId: session.user.id, clientId, ip: clientIp(ctx.request) },
          { logger: ctx.logger }
        )
    }
    return ctx.response.status(303).header('Location', PATHS.grants).send('')
  }
}
