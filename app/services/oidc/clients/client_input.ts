/**
 * A client's fields as people type them, read into the values registration
 * checks (registration.ts holds every rule). The ace commands take lists
 * space-separated (response types comma-separated, since they contain
 * spaces); the admin console takes one value a line, as allauth's admin does.
 */
import type { ClientType } from '#models/oidc_client'
import type { ClientFields } from '#services/oidc/clients/registration'

/** The fields as typed: text for each list, in either notation */
export type TypedClientFields = {
  name?: string
  type?: string
  scopes?: string
  defaultScopes?: string
  grantTypes?: string
  responseTypes?: string
  redirectUris?: string
  postLogoutRedirectUris?: string
  corsOrigins?: string
  backchannelLogoutUri?: string
  allowUriWildcards?: boolean
  skipConsent?: boolean
  requireMfa?: boolean
}

export type ListNotation = 'command line' | 'one per line'

const LIST_FIELDS = [
  'scopes',
  'defaultScopes',
  'grantTypes',
  'responseTypes',
  'redirectUris',
  'postLogoutRedirectUris',
  'corsOrigins',
] as const

function splitList(value: string, separator: RegExp) {
  return value
    .split(separator)
    .map((entry) => entry.trim())
    .filter(Boolean)
}

function separatorOf(field: (typeof LIST_FIELDS)[number], notation: ListNotation) {
  if (notation === 'one per line') return /\r\n|\r|\n/
  return field === 'responseTypes' ? /,/ : /\s+/
}

/** The given fields as registration takes them; fields not typed stay undefined */
export function readClientFields(
  typed: TypedClientFields,
  notation: ListNotation
): Partial<ClientFields> {
  const fields: Partial<ClientFields> = {
    name: typed.name,
    type: typed.type as ClientType | undefined,
    backchannelLogoutUri:
      typed.backchannelLogoutUri === undefined
        ? undefined
        : typed.backchannelLogoutUri.trim() || null,
    allowUriWildcards: typed.allowUriWildcards,
    skipConsent: typed.skipConsent,
    requireMfa: typed.requireMfa,
  }
  for (const field of LIST_FIELDS) {
    const value = typed[field]
    if (value !== undefined) fields[field] = splitList(value, separatorOf(field, notation))
  }
  return fields
}

/** A stored client's fields as the console's form shows them: one value a line */
export function typedClientFields(fields: ClientFields): Required<TypedClientFields> {
  const lines = (values: string[]) => values.join('\n')
  return {
    name: fields.name,
    type: fields.type,
    scopes: lines(fields.scopes),
    defaultScopes: lines(fields.defaultScopes),
    grantTypes: lines(fields.grantTypes),
    responseTypes: lines(fields.responseTypes),
    redirectUris: lines(fields.redirectUris),
    postLogoutRedirectUris: lines(fields.postLogoutRedirectUris),
    corsOrigins: lines(fields.corsOrigins),
    backchannelLogoutUri: fields.backchannelLogoutUri ?? '',
    allowUriWildcards: fields.allowUriWildcards,
    skipConsent: fields.skipConsent,
    requireMfa: fields.requireMfa,
  }
}
