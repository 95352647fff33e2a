/**
 * One reader per source table: the rows as plain values, in primary-key
 * order. They read inside the source snapshot (source_database.ts).
 */
import { createHash } from 'node:crypto'
import type { QueryClientContract } from '@adonisjs/lucid/types/database'
import { ImportInputError } from '#services/allauth_import/import_errors'
import {
  MFA_TABLE,
  OPTIONAL_CLIENT_COLUMNS,
  SOURCE_TABLES,
} from '#services/allauth_import/source_schema'
import type { SourceColumns } from '#services/allauth_import/source_database'
import type {
  SourceAuthenticator,
  SourceClient,
  SourceEmailAddress,
  SourceToken,
  SourceUser,
} from '#services/allauth_import/source_rows'
import {
  asBoolean,
  asDate,
  asJson,
  asList,
  asNumber,
  asText,
} from '#services/allauth_import/source_values'

type Row = Record<string, unknown>

/* The query builder quotes the names (`primary` is a reserved word in MySQL and PostgreSQL) */
async function selectAll(client: QueryClientContract, table: string, columns: readonly string[]) {
  return (await client
    .from(table)
    .select(...columns)
    .orderBy('id')) as Row[]
}

export async function readUsers(client: QueryClientContract): Promise<SourceUser[]> {
  const rows = await selectAll(client, 'auth_user', SOURCE_TABLES.auth_user)
  return rows.map((row) => ({
    id: Number(row.id),
    username: asText(row.username),
    password: asText(row.password),
    firstName: asText(row.first_name),
    lastName: asText(row.last_name),
    email: asText(row.email),
    isActive: asBoolean(row.is_active),
    isStaff: asBoolean(row.is_staff),
    isSuperuser: asBoolean(row.is_superuser),
    lastLogin: asDate(row.last_login),
    dateJoined: asDate(row.date_joined),
  }))
}

export async function readEmailAddresses(
  client: QueryClientContract
): Promise<SourceEmailAddress[]> {
  const rows = await selectAll(client, 'account_emailaddress', SOURCE_TABLES.account_emailaddress)
  return rows.map((row) => ({
    id: Number(row.id),
    userId: Number(row.user_id),
    email: asText(row.email),
    verified: asBoolean(row.verified),
    primary: asBoolean(row.primary),
  }))
}

export async function readClients(
  client: QueryClientContract,
  columns: SourceColumns
): Promise<SourceClient[]> {
  const present = columns.get('allauth_idp_oidc_client')!
  const optional = OPTIONAL_CLIENT_COLUMNS.filter((column) => present.has(column))
  const rows = await selectAll(client, 'allauth_idp_oidc_client', [
    ...SOURCE_TABLES.allauth_idp_oidc_client,
    ...optional,
  ])
  return rows.map((row) => ({
    id: asText(row.id),
    name: asText(row.name),
    secret: asText(row.secret),
    type: asText(row.type),
    scopes: asList(row.scopes),
    defaultScopes: asList(row.default_scopes),
    grantTypes: asList(row.grant_types),
    responseTypes: asList(row.response_types),
    redirectUris: asList(row.redirect_uris),
    corsOrigins: asList(row.cors_origins),
    allowUriWildcards: asBoolean(row.allow_uri_wildcards),
    skipConsent: asBoolean(row.skip_consent),
    ownerId: asNumber(row.owner_id),
    createdAt: asDate(row.created_at),
    data: asJson(row.data),
  }))
}

function chosenEmail(data: unknown) {
  const email = (data as { email?: unknown } | null)?.email
  return typeof email === 'string' ? email : null
}

export async function readTokens(client: QueryClientContract): Promise<SourceToken[]> {
  const rows = await selectAll(
    client,
    'allauth_idp_oidc_token',
    SOURCE_TABLES.allauth_idp_oidc_token
  )
  return rows.map((row) => ({
    id: Number(row.id),
    type: asText(row.type),
    hash: asText(row.hash),
    clientId: row.client_id === null ? null : asText(row.client_id),
    userId: asNumber(row.user_id),
    scopes: asList(row.scopes),
    email: chosenEmail(asJson(row.data)),
    createdAt: asDate(row.created_at),
    expiresAt: asDate(row.expires_at),
  }))
}

export async function readAuthenticators(
  client: QueryClientContract,
  columns: SourceColumns
): Promise<SourceAuthenticator[]> {
  if (!columns.has(MFA_TABLE)) return []
  /* created_at and last_used_at came with mfa 0002 */
  const timestamps = ['created_at', 'last_used_at'].filter((column) =>
    columns.get(MFA_TABLE)!.has(column)
  )
  const rows = await selectAll(client, MFA_TABLE, ['id', 'user_id', 'type', 'data', ...timestamps])
  return rows.map((row) => ({
    id: Number(row.id),
    userId: Number(row.user_id),
    type: asText(row.type),
    data: asJson(row.data),
    createdAt: asDate(row.created_at),
    lastUsedAt: asDate(row.last_used_at),
  }))
}

/** The apps whose latest applied migration the report shows */
const REPORTED_APPS = ['auth', 'account', 'allauth_idp_oidc', 'mfa']

/**
 * The source database's fingerprint, the moment it was first migrated (its
 * first django_migrations row): copies and restores of one database share it,
 * another database has its own. And the latest migration of each app read.
 */
export async function readMigrations(client: QueryClientContract) {
  const rows = await selectAll(client, 'django_migrations', ['id', 'app', 'name', 'applied'])
  const first = rows[0]
  if (!first) throw new ImportInputError('the source has no applied Django migrations')
  const fingerprint = createHash('sha256')
    .update(`${asText(first.app)} ${asText(first.name)} ${asDate(first.applied)?.toISOString()}`)
    .digest('hex')
    .slice(0, 32)
  const latest: Record<string, string> = {}
  for (const row of rows) {
    const app = asText(row.app)
    const name = asText(row.name)
    if (REPORTED_APPS.includes(app) && !(latest[app] > name)) latest[app] = name
  }
  return { fingerprint, latest }
}
