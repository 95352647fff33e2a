/**
 * Scope strings (docs/endpoints.md#api-request-format): split on single spaces (compat: a double
 * space makes an empty token, so invalid_scope), duplicates merged in
 * first-seen order, RFC 6749 §3.3 token syntax, defaults when absent, and a
 * subset of what the client may ask for.
 */
import type OidcClient from '#models/oidc_client'
import { InvalidScope } from '#services/oidc/protocol/errors'

/** RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ) */
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/

export function isScopeToken(value: string) {
  return SCOPE_TOKEN.test(value)
}

export function splitScope(scope: string): string[] {
  const tokens = scope.split(' ')
  if (tokens.some((token) => !isScopeToken(token))) throw new InvalidScope()
  return [...new Set(tokens)]
}

/** The requested scopes, or the client's defaults when absent; always ⊆ client.scopes */
export function resolveScopes(client: OidcClient, scope: string | undefined): string[] {
  const scopes = scope === undefined ? client.defaultScopes : splitScope(scope)
  if (scopes.some((entry) => !client.scopes.includes(entry))) throw new InvalidScope()
  return scopes
}

/** `scope` parameter value of a response */
export function joinScopes(scopes: string[]) {
  return scopes.join(' ')
}
