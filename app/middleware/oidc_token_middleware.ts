import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import type OidcClient from '#models/oidc_client'
import type OidcToken from '#models/oidc_token'
import type User from '#models/user'
import { InsufficientScope, InvalidToken } from '#services/oidc/protocol/errors'
import { bearerToken } from '#services/oidc/protocol/bearer'
import { bearerSource } from '#http/request_parts'
import { findUsableAccessToken } from '#services/oidc/tokens/token_store'
import { missingScopes, type ScopeExpression } from '#services/oidc/protocol/scope_expression'

declare module '@adonisjs/core/http' {
  interface HttpContext {
    /** Set by the oidcToken middleware: the access token behind this API request */
    oidc: { token: OidcToken; user: User | null; client: OidcClient; scopes: string[] }
  }
}

/**
 * Lets the app's own API routes accept the access tokens this provider issues
 * (allauth's DRF/Ninja integration, docs/tokens.md#protecting-your-own-api): opaque or JWT, looked up by
 * hash so revocation counts; 401 invalid_token or 403 insufficient_scope.
 */
export default class OidcTokenMiddleware {
  async handle(ctx: HttpContext, next: NextFn, options: { scopes?: ScopeExpression } = {}) {
    const value = bearerToken(bearerSource(ctx.request), false)
    const resolved = value ? await findUsableAccessToken(ctx.oidcAdapter.hashToken(value)) : null
    if (!resolved)
      throw new InvalidToken().withHeader('WWW-Authenticate', 'Bearer error="invalid_token"')
    const missing = missingScopes(options.scopes, ctx.request.method(), resolved.token.scopes)
    if (missing?.length) throw new InsufficientScope(missing.join(' '))
    /* a method without an entry: no scope would do, so none is named */
    if (missing)
      throw new InsufficientScope('').withHeader(
        'WWW-Authenticate',
        'Bearer error="insufficient_scope"'
      )
    ctx.oidc = { ...resolved, scopes: resolved.token.scopes }
    return next()
  }
}
