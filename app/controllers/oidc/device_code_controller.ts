import type { HttpContext } from '@adonisjs/core/http'
import { OAuthError, UnauthorizedClient } from '#services/oidc/protocol/errors'
import { authenticateClient } from '#services/oidc/clients/authentication'
import { resolveScopes } from '#services/oidc/protocol/scopes'
import { createDeviceCode } from '#services/oidc/device/device_code_store'
import { DEVICE_CODE_GRANT } from '#services/oidc/protocol/vocabulary'
import { PATHS } from '#services/oidc/protocol/paths'
import oidcConfig from '#config/oidc'
import { hitRateLimit } from '#services/rate_limits/rate_limits'

/** POST /identity/o/api/device/code (RFC 8628 §3.1-3.2, docs/endpoints.md#device-authorization-endpoint) */
export default class DeviceCodeController {
  async create({ apiRequest, response }: HttpContext) {
    const { params, adapter } = apiRequest
    const client = await authenticateClient(apiRequest, { deviceEndpoint: true })
    /* every request writes a row, and a public client's id is all it takes */
    await hitRateLimit('device_code', { ip: apiRequest.ip, key: client.id, client: client.id })
    if (!client.grantTypes.includes(DEVICE_CODE_GRANT)) throw new UnauthorizedClient()
    let scopes: string[]
    try {
      scopes = resolveScopes(client, params.scope)
    } catch {
      /* compat: exactly {"error":"invalid_scope"} */
      throw new OAuthError('invalid_scope')
    }
    const { deviceCode, userCode } = await createDeviceCode(adapter, client, scopes)
    const verificationUri = adapter.getIssuer() + PATHS.device
    return response.json({
      verification_uri: verificationUri,
      expires_in: oidcConfig.deviceCodeExpiresIn,
      user_code: userCode,
      device_code: deviceCode,
      interval: oidcConfig.deviceCodeInterval,
      verification_uri_complete: `${verificationUri}?code=${encodeURIComponent(userCode)}`,
    })
  }
}
