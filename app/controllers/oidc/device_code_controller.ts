import type { HttpContext } from '@adonisjs/core/http'
import { OAuthError, UnauthorizedClient } from '#services/oidc/protocol/errors'
import { readApiForm } from '#services/oidc/protocol/parameters'
import { authenticateClient } from '#services/oidc/clients/authentication'
import { setCorsClient } from '#services/oidc/clients/cors'
import { resolveScopes } from '#services/oidc/protocol/scopes'
import { createDeviceCode } from '#services/oidc/device/device_codes'
import { DEVICE_CODE_GRANT } from '#services/oidc/grants/device_code'
import { PATHS } from '#services/oidc/protocol/paths'
import oidcConfig from '#config/oidc'

/** POST /identity/o/api/device/code (RFC 8628 §3.1-3.2, endpoints.md §8) */
export default class DeviceCodeController {
  async create(ctx: HttpContext) {
    const params = readApiForm(ctx)
    const client = await authenticateClient(ctx, params, { deviceEndpoint: true })
    setCorsClient(ctx, client)
    if (!client.grantTypes.includes(DEVICE_CODE_GRANT)) throw new UnauthorizedClient()
    let scopes: string[]
    try {
      scopes = resolveScopes(client, params.scope)
    } catch {
      /* compat: exactly {"error":"invalid_scope"} */
      throw new OAuthError('invalid_scope')
    }
    const { deviceCode, userCode } = await createDeviceCode(ctx.oidcAdapter, client, scopes)
    const verificationUri = ctx.oidcAdapter.getIssuer() + PATHS.device
    return ctx.response.json({
      verification_uri: verificationUri,
      expires_in: oidcConfig.deviceCodeExpiresIn,
      user_code: userCode,
      device_code: deviceCode,
      interval: oidcConfig.deviceCodeInterval,
      verification_uri_complete: `${verificationUri}?code=${encodeURIComponent(userCode)}`,
    })
  }
}
