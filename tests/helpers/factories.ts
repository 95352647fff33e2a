import hash from '@adonisjs/core/services/hash'
import User from '#models/user'
import EmailAddress from '#models/email_address'
import OidcClient from '#models/oidc_client'
import { hashClientSecret, NO_SECRET } from '#services/oidc/clients/secrets'
import { randomValue } from '#services/oidc/protocol/random'
import type { ClientFields } from '#services/oidc/clients/registration'

let sequence = 0

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
  }> = {}
): Promise<TestUser> {
  sequence++
  const password = overrides.password ?? `pw-${randomValue(9)}`
  const email = overrides.email ?? `user${sequence}-${randomValue(4).toLowerCase()}@example.com`
  const user = await User.create({
    username:
      overrides.username === undefined ? `user${sequence}_${randomValue(4)}` : overrides.username,
    password: await hash.make(password),
    firstName: overrides.firstName ?? 'Ada',
    lastName: overrides.lastName ?? 'Lovelace',
    isActive: overrides.isActive ?? true,
    profile: overrides.profile ?? null,
  })
  await EmailAddress.create({
    userId: user.id,
    email: email.toLowerCase(),
    verified: true,
    primary: true,
  })
  return { user, email: email.toLowerCase(), password }
}

export type TestClient = { client: OidcClient; id: string; secret: string | null }

/** A client row written directly (the admin commands are tested on their own) */
export async function createClient(overrides: Partial<ClientFields> = {}): Promise<TestClient> {
  const type = overrides.type ?? 'confidential'
  const secret = type === 'confidential' ? randomValue(32) : null
  const client = await OidcClient.create({
    id: randomValue(16).replace(/[-_]/g, 'x').toLowerCase(),
    name: overrides.name ?? 'Test RP',
    secret: secret ? hashClientSecret(secret) : NO_SECRET,
    type,
    scopes: overrides.scopes ?? ['openid', 'profile', 'email'],
    defaultScopes: overrides.defaultScopes ?? [],
    grantTypes: overrides.grantTypes ?? ['authorization_code', 'refresh_token'],
    responseTypes: overrides.responseTypes ?? ['code'],
    redirectUris: overrides.redirectUris ?? ['https://rp.example/callback'],
    postLogoutRedirectUris: overrides.postLogoutRedirectUris ?? [],
    corsOrigins: overrides.corsOrigins ?? [],
    allowUriWildcards: overrides.allowUriWildcards ?? false,
    skipConsent: overrides.skipConsent ?? false,
    backchannelLogoutUri: overrides.backchannelLogoutUri ?? null,
    ownerId: null,
    data: null,
  })
  return { client, id: client.id, secret }
}
