/**
 * Client authentication at token, revoke, introspect and device code
 * (docs/endpoints.md#client-authentication): client_secret_basic, client_secret_post, or none for
 * public clients. An unknown client and a wrong secret get identical answers.
 */
import OidcClient from '#models/oidc_client'
import {
  InvalidClient,
  InvalidRequest,
  type OAuthError,
  TooManyRequests,
} from '#services/oidc/protocol/errors'
import { verifyClientSecret } from '#services/oidc/clients/secrets'
import { assertRateLimitLeft, hitRateLimit } from '#services/rate_limits/rate_limits'
import type { ApiRequest } from '#services/oidc/clients/api_request'
import { recordEvent } from '#services/audit/record_event'

/** How clients authenticate at the token, revoke, introspect and device code endpoints */
export const CLIENT_AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'none']

type BasicCredentials = { clientId: string; secret: string }

/** RFC 6749 §2.3.1: both halves are form-URL-encoded before base64 */
function parseBasic(header: string): BasicCredentials | null {
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8')
  const separator = decoded.indexOf(':')
  if (separator < 1 || !/^[A-Za-z0-9+/]+=*$/.test(header.slice(6).trim())) return null
  try {
    const formDecode = (part: string) => decodeURIComponent(part.replaceAll('+', ' '))
    return {
      clientId: formDecode(decoded.slice(0, separator)),
      secret: formDecode(decoded.slice(separator + 1)),
    }
  } catch {
    return null
  }
}

export type ClientAuthOptions = {
  /** The device code endpoint answers a missing or unknown client with 400 invalid_request (compat) */
  deviceEndpoint?: boolean
  /** Introspection and client_credentials: a public client is refused with invalid_client */
  confidentialOnly?: boolean
}

/** The authenticated client; the request learns it (clientAuthenticated) */
export async function authenticateClient(
  request: ApiRequest,
  options: ClientAuthOptions = {}
): Promise<OidcClient> {
  const client = await findAuthenticatedClient(request, options)
  request.clientAuthenticated(client)
  return client
}

async function findAuthenticatedClient(
  request: ApiRequest,
  options: ClientAuthOptions
): Promise<OidcClient> {
  const { params, ip } = request
  /* per source, per client and source (`key`), and per client: failures elsewhere never lock a client out */
  const failures = (clientId: string | null) => ({
    ip,
    key: clientId === null ? null : `${clientId} ${ip}`,
    client: clientId,
  })
  const authorization = request.authorization ?? ''
  const usesBasic = /^basic(\s|$)/i.test(authorization)

  const refuse = async (
    reason: string,
    clientId: string | null,
    error: OAuthError = new InvalidClient()
  ) => {
    await recordEvent(
      'client_auth.failed',
      { clientId, ip, data: { reason } },
      { logger: request.logger }
    )
    await hitRateLimit('client_auth_failed', failures(clientId)).catch((limit) => {
      if (!(limit instanceof TooManyRequests)) throw limit
    })
    if (error instanceof InvalidClient) {
      const issuer = request.adapter.getIssuer()
      error.withHeader(
        'WWW-Authenticate',
        usesBasic ? `Basic realm="${issuer}"` : 'Bearer error="invalid_client"'
      )
    }
    return error
  }

  let clientId = params.client_id
  let secret = params.client_secret
  if (usesBasic) {
    const basic = parseBasic(authorization)
    if (!basic) throw await refuse('malformed_basic', null)
    if (params.client_secret !== undefined)
      throw new InvalidRequest('Use one client authentication method.')
    if (clientId !== undefined && clientId !== basic.clientId)
      throw await refuse('client_id_mismatch', basic.clientId)
    clientId = basic.clientId
    secret = basic.secret
  }

  if (!clientId) {
    if (options.deviceEndpoint) throw new InvalidRequest('Missing client_id parameter.')
    throw await refuse('missing_client_id', null)
  }
  await assertRateLimitLeft('client_auth_failed', failures(clientId))
  const client = await OidcClient.findExact(clientId)
  if (!client) {
    if (options.deviceEndpoint)
      throw await refuse(
        'unknown_client',
        clientId,
        new InvalidRequest('Invalid client_id parameter value.')
      )
    throw await refuse('unknown_client', clientId)
  }
  if (client.isPublic) {
    if (options.confidentialOnly) throw await refuse('public_client', clientId)
    if (secret !== undefined) throw await refuse('secret_sent_by_public_client', clientId)
    return client
  }
  if (secret === undefined || !(await verifyClientSecret(client, secret)))
    throw await refuse('bad_secret', clientId)
  return client
}
