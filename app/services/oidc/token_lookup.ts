/**
 * Checking a presented token (data.md §4): one indexed query by hash that
 * joins its client and user, so the hot paths (userinfo, the API guard,
 * introspection) make no other round trip.
 */
import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import OidcToken, { type TokenType } from '#models/oidc_token'
import OidcClient from '#models/oidc_client'
import User from '#models/user'

export type ResolvedToken = { token: OidcToken; client: OidcClient; user: User | null }

type AnyModel = typeof OidcToken | typeof OidcClient | typeof User

function columnsOf(model: AnyModel) {
  return [...model.$columnsDefinitions.values()].map((column) => column.columnName)
}

const TABLES = [
  { alias: 't', model: OidcToken },
  { alias: 'c', model: OidcClient },
  { alias: 'u', model: User },
] as const

/* `t__hash`, `c__name`, … so that same-named columns of the three tables stay apart */
const SELECT = TABLES.flatMap(({ alias, model }) => columnsOf(model).map((column) => `${alias}.${column} as ${alias}__${column}`))

function pick(row: Record<string, unknown>, alias: string) {
  const prefix = `${alias}__`
  const values: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(row)) if (key.startsWith(prefix)) values[key.slice(prefix.length)] = value
  return values
}

/** The token row with its client and user, whatever its state; null when unknown */
export async function findToken(type: TokenType, hash: string): Promise<ResolvedToken | null> {
  const row = await db
    .from('oidc_tokens as t')
    .join('oidc_clients as c', 'c.id', 't.client_id')
    .leftJoin('users as u', 'u.id', 't.user_id')
    .where('t.type', type)
    .where('t.hash', hash)
    .select(SELECT)
    .first()
  if (!row) return null
  const userValues = pick(row, 'u')
  return {
    token: OidcToken.$createFromAdapterResult(pick(row, 't'))!,
    client: OidcClient.$createFromAdapterResult(pick(row, 'c'))!,
    user: userValues.id === null || userValues.id === undefined ? null : User.$createFromAdapterResult(userValues)!,
  }
}

/** Valid for use: not revoked, not expired, its user (if any) active (data.md §4) */
export function isUsable({ token, user }: ResolvedToken) {
  if (token.revokedAt) return false
  if (token.expiresAt && token.expiresAt <= DateTime.utc()) return false
  return !token.userId || !!user?.isActive
}

/** An access token that may be used now, or null */
export async function findUsableAccessToken(hash: string): Promise<ResolvedToken | null> {
  const resolved = await findToken('at', hash)
  return resolved && isUsable(resolved) ? resolved : null
}
