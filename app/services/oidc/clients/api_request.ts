/**
 * What the form-body API endpoints (token, revoke, introspect, device code)
 * hand their services: the request reduced to plain values, read and checked
 * by the apiForm middleware before any endpoint logic runs.
 */
import type { Logger } from '@adonisjs/core/logger'
import type OidcClient from '#models/oidc_client'
import type { OidcAdapter } from '#services/oidc/adapter/adapter'

export type ApiRequest = {
  /** The form body, one value per name; empty values count as absent */
  params: Record<string, string>
  /** The Authorization header as sent */
  authorization: string | undefined
  /** The client IP, as the trusted-proxy settings decide it */
  ip: string
  adapter: OidcAdapter
  logger: Logger
  /** Called once the client is authenticated: CORS answers follow that client from then on */
  clientAuthenticated(client: OidcClient): void
}
