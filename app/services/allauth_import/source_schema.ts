/**
 * The source schema the import reads: Django's django_migrations and auth_user (django.contrib.auth
 * migrations up to 0012, Django 4.2–5.x) and allauth 65's account_emailaddress
 * (account 0001–0009), allauth_idp_oidc_client and _token (allauth_idp_oidc
 * 0001–0003) and, when present, mfa_authenticator. A column added by a later
 * migration that an older site may lack is optional and read as its default.
 */
import { ImportInputError } from '#services/allauth_import/import_errors'
import type { SourceColumns } from '#services/allauth_import/source_database'

export const SOURCE_TABLES = {
  django_migrations: ['id', 'app', 'name', 'applied'],
  auth_user: [
    'id',
    'password',
    'last_login',
    'is_superuser',
    'username',
    'first_name',
    'last_name',
    'email',
    'is_staff',
    'is_active',
    'date_joined',
  ],
  account_emailaddress: ['id', 'user_id', 'email', 'verified', 'primary'],
  allauth_idp_oidc_client: [
    'id',
    'name',
    'secret',
    'scopes',
    'type',
    'grant_types',
    'redirect_uris',
    'cors_origins',
    'response_types',
    'skip_consent',
    'created_at',
    'data',
    'owner_id',
  ],
  allauth_idp_oidc_token: [
    'id',
    'type',
    'hash',
    'client_id',
    'user_id',
    'data',
    'created_at',
    'expires_at',
    'scopes',
  ],
} as const

/** Columns later allauth migrations added (0002 default_scopes, 0003 allow_uri_wildcards) */
export const OPTIONAL_CLIENT_COLUMNS = ['default_scopes', 'allow_uri_wildcards'] as const

export const MFA_TABLE = 'mfa_authenticator'

export type SourceTable = Exclude<keyof typeof SOURCE_TABLES, 'django_migrations'>

/** Stops with one line when the source is not the database of a site running allauth.idp.oidc */
export function checkSourceSchema(columns: SourceColumns, label: string) {
  const tables = Object.keys(SOURCE_TABLES) as (keyof typeof SOURCE_TABLES)[]
  if (!columns.has('django_migrations') || !columns.has('auth_user'))
    throw new ImportInputError(
      `${label} is not the database of a Django site with django.contrib.auth`
    )
  for (const table of tables) {
    const present = columns.get(table)
    if (!present) {
      const hint = table.startsWith('allauth_idp_oidc')
        ? ' (is allauth.idp.oidc installed and migrated?)'
        : ''
      throw new ImportInputError(`the source has no table ${table}${hint}`)
    }
    const missing = SOURCE_TABLES[table].filter((column) => !present.has(column))
    if (missing.length)
      throw new ImportInputError(`the source table ${table} lacks column ${missing.join(', ')}`)
  }
}
