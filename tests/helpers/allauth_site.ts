/**
 * A small allauth site in a source database: users with each kind of Django
 * password, their addresses, a confidential, a public and a
 * client-credentials client, and live tokens hashed as allauth hashes them.
 * Ids start at a random base so that imports of several tests never meet.
 */
import db from '@adonisjs/lucid/services/db'
import { randomBytes } from 'node:crypto'
import type { AllauthSource } from '#tests/helpers/allauth_source'
import { tokenValue } from '#tests/helpers/allauth_source'
import {
  allauthTokenHash,
  djangoArgon2,
  djangoBcryptSha256,
  djangoPbkdf2,
  djangoScrypt,
  djangoUnusable,
} from '#tests/helpers/django_hashes'
import { REDIRECT } from '#tests/helpers/endpoints'

/* Django's published vector (tests/auth_tests/test_hashers.py test_pbkdf2) for "lètmein" */
const DJANGO_PBKDF2_LETMEIN =
  'pbkdf2_sha256$600000$seasalt$OAXyhAQ/4ZDA9V5RMExt3C1OwQdUpLZ99vm1McFlLRA='

const HOUR = 3600_000

export function randomBase() {
  return 100_000 * (1 + Math.floor(Math.random() * 20_000))
}

export type SiteUser = { id: number; username: string; email: string; password: string }

export async function insertUser(
  source: AllauthSource,
  user: { id: number; username: string; password: string } & Partial<{
    email: string
    firstName: string
    lastName: string
    isActive: boolean
    isStaff: boolean
    isSuperuser: boolean
    lastLogin: Date | null
  }>
) {
  await source.insert('auth_user', {
    id: user.id,
    password: user.password,
    last_login: user.lastLogin ?? null,
    is_superuser: user.isSuperuser ?? false,
    username: user.username,
    first_name: user.firstName ?? '',
    last_name: user.lastName ?? '',
    email: user.email ?? '',
    is_staff: user.isStaff ?? false,
    is_active: user.isActive ?? true,
    date_joined: new Date('2024-03-01T10:00:00.123456Z'),
  })
}

export async function insertAddress(
  source: AllauthSource,
  row: { id: number; userId: number; email: string; verified: boolean; primary: boolean }
) {
  await source.insert('account_emailaddress', {
    id: row.id,
    user_id: row.userId,
    email: row.email,
    verified: row.verified,
    primary: row.primary,
  })
}

export async function insertClient(
  source: AllauthSource,
  client: { id: string; secretHash: string } & Partial<{
    name: string
    type: string
    scopes: string[]
    grantTypes: string[]
    redirectUris: string[]
    defaultScopes: string[]
  }>,
  oidcMigration: 1 | 3 = 3
) {
  await source.insert('allauth_idp_oidc_client', {
    id: client.id,
    name: client.name ?? 'Relying party',
    secret: client.secretHash,
    scopes: (client.scopes ?? ['openid', 'profile', 'email']).join('\n'),
    type: client.type ?? 'confidential',
    grant_types: (client.grantTypes ?? ['authorization_code', 'refresh_token']).join('\n'),
    redirect_uris: (client.redirectUris ?? [REDIRECT]).join('\n'),
    cors_origins: '',
    response_types: 'code',
    skip_consent: false,
    created_at: new Date('2024-03-02T09:30:00Z'),
    data: null,
    owner_id: null,
    ...(oidcMigration === 3
      ? { default_scopes: (client.defaultScopes ?? []).join('\n'), allow_uri_wildcards: false }
      : {}),
  })
}

/** A token as allauth's save_bearer_token stores it; returns its value */
export async function insertToken(
  source: AllauthSource,
  token: {
    id: number
    type: 'at' | 'rt' | 'ia'
    clientId: string | null
    userId: number | null
    scopes: string[]
    email?: string
    expiresAt?: Date | null
  }
) {
  const value = tokenValue()
  await source.insert('allauth_idp_oidc_token', {
    id: token.id,
    type: token.type,
    hash: allauthTokenHash(value),
    data: token.email ? { email: token.email } : null,
    created_at: new Date(Date.now() - 60_000),
    expires_at:
      token.expiresAt === undefined
        ? token.type === 'at'
          ? new Date(Date.now() + HOUR)
          : null
        : token.expiresAt,
    scopes: token.scopes.join('\n'),
    client_id: token.clientId,
    user_id: token.userId,
  })
  return value
}

/** The site every end-to-end import test starts from */
export async function seedSite(source: AllauthSource) {
  const base = randomBase()
  const at = (name: string) => `${name}.${base}@example.com`
  const ada: SiteUser = {
    id: base + 1,
    username: `ada_${base}`,
    email: at('ada'),
    password: 'lètmein',
  }
  const bob: SiteUser = { id: base + 2, username: `bob_${base}`, email: '', password: 'bob pw' }
  const cyd: SiteUser = {
    id: base + 3,
    username: `cyd_${base}`,
    email: at('cyd'),
    password: 'cyd pw',
  }
  const dee: SiteUser = { id: base + 4, username: `dee_${base}`, email: at('dee'), password: 'x' }
  const eve: SiteUser = {
    id: base + 5,
    username: `eve_${base}`,
    email: at('eve'),
    password: 'eve pw',
  }

  await insertUser(source, {
    ...ada,
    password: DJANGO_PBKDF2_LETMEIN,
    firstName: 'Ada',
    lastName: 'Lovelace',
    isStaff: true,
    lastLogin: new Date('2025-01-01T00:00:00Z'),
  })
  await insertAddress(source, {
    id: base + 1,
    userId: ada.id,
    email: ada.email,
    verified: true,
    primary: true,
  })
  await insertAddress(source, {
    id: base + 2,
    userId: ada.id,
    email: at('ada.work'),
    verified: false,
    primary: false,
  })
  /* username only: empty auth_user.email, no address row */
  await insertUser(source, { ...bob, password: djangoBcryptSha256(bob.password) })
  /* createsuperuser: auth_user.email without an address row */
  await insertUser(source, {
    ...cyd,
    password: djangoArgon2(cyd.password),
    isSuperuser: true,
    isStaff: true,
  })
  await insertUser(source, { ...dee, password: djangoUnusable() })
  await insertAddress(source, {
    id: base + 3,
    userId: dee.id,
    email: dee.email,
    verified: true,
    primary: true,
  })
  await insertUser(source, { ...eve, password: djangoScrypt(eve.password), isActive: false })
  await insertAddress(source, {
    id: base + 4,
    userId: eve.id,
    email: eve.email,
    verified: true,
    primary: true,
  })

  const client = {
    id: randomBytes(16).toString('hex'),
    secret: randomBytes(32).toString('base64url'),
  }
  await insertClient(source, {
    id: client.id,
    secretHash: djangoPbkdf2(client.secret),
    name: 'Wiki',
  })
  const publicClient = { id: randomBytes(16).toString('hex'), secret: null }
  await insertClient(source, {
    id: publicClient.id,
    secretHash: djangoPbkdf2('unused'),
    type: 'public',
    name: 'App',
  })
  const machine = {
    id: randomBytes(16).toString('hex'),
    secret: randomBytes(32).toString('base64url'),
  }
  await insertClient(source, {
    id: machine.id,
    secretHash: djangoArgon2(machine.secret),
    name: 'Batch',
    scopes: ['api.read'],
    grantTypes: ['client_credentials'],
    redirectUris: [],
  })

  const scopes = ['openid', 'profile', 'email']
  const tokens = {
    adaAccess: await insertToken(source, {
      id: base + 1,
      type: 'at',
      clientId: client.id,
      userId: ada.id,
      scopes,
      email: at('ada.work'),
    }),
    adaRefresh: await insertToken(source, {
      id: base + 2,
      type: 'rt',
      clientId: client.id,
      userId: ada.id,
      scopes,
      email: at('ada.work'),
    }),
    machineAccess: await insertToken(source, {
      id: base + 3,
      type: 'at',
      clientId: machine.id,
      userId: null,
      scopes: ['api.read'],
    }),
    bobRefresh: await insertToken(source, {
      id: base + 4,
      type: 'rt',
      clientId: publicClient.id,
      userId: bob.id,
      scopes: ['openid'],
    }),
    expired: await insertToken(source, {
      id: base + 5,
      type: 'at',
      clientId: client.id,
      userId: ada.id,
      scopes,
      expiresAt: new Date(Date.now() - HOUR),
    }),
  }
  return {
    base,
    users: { ada, bob, cyd, dee, eve },
    adaWork: at('ada.work'),
    client,
    publicClient,
    machine,
    tokens,
  }
}

export type SeededSite = Awaited<ReturnType<typeof seedSite>>

/** Every row of the tables the import writes, to compare before and after */
export async function targetSnapshot() {
  const tables = [
    'users',
    'email_addresses',
    'oidc_clients',
    'oidc_tokens',
    'allauth_imported_rows',
  ]
  const rows = await Promise.all(tables.map((table) => db.from(table).select('*').orderBy('id')))
  return JSON.stringify(rows)
}
