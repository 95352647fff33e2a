import { DateTime } from 'luxon'
import hash from '@adonisjs/core/services/hash'
import User from '#models/user'
import EmailAddress from '#models/email_address'
import OidcClient from '#models/oidc_client'
import type OidcToken from '#models/oidc_token'
import { hashClientSecret, NO_SECRET } from '#services/oidc/clients/secrets'
import { randomValue, sha256Hex } from '#services/oidc/protocol/random'
import type { ClientFields } from '#services/oidc/clients/registration'
import { REDIRECT } from '#tests/helpers/endpoints'

let sequence = 0

/** Another database connection than the run's (tests/helpers/faulty_mysql.ts) */
export type DatabaseOptions = { connection?: string }

export type TestUser = { user: User; email: string; password: string }

/** A user with a verified primary email; every value unique to this call */
export async function createUser(
  overrides: Partial<{
    username: string | null
    email: string
    password: string
    isActive: boolean
    firstName: string
    lastName: string
    profile: Record<string, unknown>
  }> = {},
  options: DatabaseOptions = {}
): Promise<TestUser> {
  sequence++
  const password = overrides.password ?? `pw-${randomValue(9)}`
  const email = overrides.email ?? `user${sequence}-${randomValue(4).toLowerCase()}@example.com`
  const user = await User.create(
    {
      username:
        overrides.username === undefined ? `user${sequence}_${randomValue(4)}` : overrides.username,
      password: await hash.make(password),
      firstName: overrides.firstName ?? 'Ada',
      lastName: overrides.lastName ?? 'Lovelace',
      isActive: overrides.isActive ?? true,
      profile: overrides.profile ?? null,
    },
    options
  )
  await EmailAddress.create(
    { userId: user.id, email: email.toLowerCase(), verified: true, primary: true },
    options
  )
  return { user, email: email.toLowerCase(), password }
}

export type TestClient = { client: OidcClient; id: string; secret: string | null }

/** A client with the tests' defaults, not written: for rules that read a client and nothing else */
export function buildClient(overrides: Partial<ClientFields> = {}): OidcClient {
  const client = new OidcClient()
  client.merge({
    name: overrides.name ?? 'Test RP',
    type: overrides.type ?? 'confidential',
    scopes: overrides.scopes ?? ['openid', 'profile', 'email'],
    defaultScopes: overrides.defaultScopes ?? [],
    grantTypes: overrides.grantTypes ?? ['authorization_code', 'refresh_token'],
    responseTypes: overrides.responseTypes ?? ['code'],
    redirectUris: overrides.redirectUris ?? [REDIRECT],
    postLogoutRedirectUris: overrides.postLogoutRedirectUris ?? [],
    corsOrigins: overrides.corsOrigins ?? [],
    allowUriWildcards: overrides.allowUriWildcards ?? false,
    skipConsent: overrides.skipConsent ?? false,
    backchannelLogoutUri: overrides.backchannelLogoutUri ?? null,
    requireMfa: overrides.requireMfa ?? false,
  })
  return client
}

/** A client row written directly (the admin commands are tested on their own) */
export async function createClient(
  overrides: Partial<ClientFields> = {},
  options: DatabaseOptions = {}
): Promise<TestClient> {
  const client = buildClient(overrides)
  const secret = client.isPublic ? null : randomValue(32)
  client.merge({
    id: randomValue(16).replace(/[-_]/g, 'x').toLowerCase(),
    secret: secret ? hashClientSecret(secret) : NO_SECRET,
    ownerId: null,
    data: null,
  })
  if (options.connection) client.useConnection(options.connection)
  await client.save()
  return { client, id: client.id, secret }
}

/** The columns of a live access token of `userId` at `clientId`, changed by `overrides` */
export function tokenFields(clientId: string, userId: number, overrides: Partial<OidcToken> = {}) {
  return {
    type: 'at' as const,
    hash: sha256Hex(randomValue(16)),
    jti: null,
    clientId,
    userId,
    familyId: randomValue(16),
    parentId: null,
    scopes: ['openid'],
    data: null,
    authTime: null,
    sid: null,
    expiresAt: DateTime.utc().plus({ hours: 1 }),
    rotatedAt: null,
    revokedAt: null,
    ...overrides,
  }
}
