/**
 * The adapter: the one place where an app changes claims, subjects,
 * identifiers and metadata (docs/adapter.md). It mirrors allauth's
 * DefaultOIDCAdapter, camelCased. Replace it by extending DefaultOidcAdapter and
 * naming the module in IDP_OIDC_ADAPTER (or config/oidc.ts).
 */
import { randomBytes, randomUUID } from 'node:crypto'
import type { HttpContext } from '@adonisjs/core/http'
import type User from '#models/user'
import type OidcClient from '#models/oidc_client'
import EmailAddress from '#models/email_address'
import UserModel from '#models/user'
import oidcConfig from '#config/oidc'
import { requestOrigin } from '#http/client_ip'
import { sha256Hex } from '#services/oidc/protocol/random'
import { randomUserCode } from '#services/oidc/protocol/user_code'

export type ClaimsPurpose = 'id_token' | 'userinfo'
export type Claims = Record<string, unknown>

export interface ClaimsOptions {
  /** The parsed `claims` request parameter, if any */
  requestedClaims?: Claims | null
}
export interface IdTokenContext {
  client: OidcClient
  scopes: string[]
  user: User
}
export interface AccessTokenContext {
  client: OidcClient
  scopes: string[]
  user: User | null
}

export interface OidcAdapter {
  readonly scopeDisplay: Record<string, string>
  getClaims(
    purpose: ClaimsPurpose,
    user: User,
    client: OidcClient,
    scopes: string[],
    email?: string | null,
    options?: ClaimsOptions
  ): Promise<Claims>
  populateIdToken(claims: Claims, ctx: IdTokenContext): void | Promise<void>
  populateAccessToken(claims: Claims, ctx: AccessTokenContext): void | Promise<void>
  populateServerMetadata(metadata: Claims): void | Promise<void>
  getUserSub(client: OidcClient, user: User): string
  getUserBySub(client: OidcClient, sub: string): Promise<User | null>
  generateClientId(): string
  generateClientSecret(): string
  generateUserCode(): string
  hashToken(token: string): string
  getIssuer(): string
}

const PROFILE_CLAIMS = [
  'middle_name',
  'nickname',
  'picture',
  'website',
  'gender',
  'birthdate',
  'zoneinfo',
  'locale',
] as const

/** Adds `value` under `name` only when it has a value (compat: empty strings and nulls are left out) */
function put(claims: Claims, name: string, value: unknown) {
  if (value !== null && value !== undefined && value !== '') claims[name] = value
}

export class DefaultOidcAdapter implements OidcAdapter {
  /** null inside ace commands */
  constructor(protected ctx: HttpContext | null) {}

  get scopeDisplay(): Record<string, string> {
    return {
      openid: 'View your user ID',
      email: 'View your email address',
      profile: 'View your basic profile information',
      phone: 'View your phone number',
      address: 'View your postal address',
    }
  }

  async getClaims(
    _purpose: ClaimsPurpose,
    user: User,
    client: OidcClient,
    scopes: string[],
    email?: string | null,
    _options?: ClaimsOptions
  ): Promise<Claims> {
    const granted = new Set(scopes.filter((scope) => client.scopes.includes(scope)))
    const claims: Claims = { sub: this.getUserSub(client, user) }
    const profile = user.profile ?? {}
    if (granted.has('email')) {
      const address = await EmailAddress.forClaims(user.id, email)
      if (address) {
        claims.email = address.email
        claims.email_verified = address.verified
      }
    }
    if (granted.has('profile')) {
      put(claims, 'name', `${user.firstName} ${user.lastName}`.trim())
      put(claims, 'given_name', user.firstName)
      put(claims, 'family_name', user.lastName)
      put(claims, 'preferred_username', user.username)
      put(claims, 'updated_at', user.updatedAt ? Math.floor(user.updatedAt.toSeconds()) : null)
      for (const name of PROFILE_CLAIMS) put(claims, name, profile[name])
    }
    if (granted.has('phone') && profile.phone_number) {
      claims.phone_number = profile.phone_number
      claims.phone_number_verified = profile.phone_number_verified === true
    }
    if (granted.has('address')) put(claims, 'address', profile.address)
    return claims
  }

  populateIdToken(_claims: Claims, _ctx: IdTokenContext): void | Promise<void> {}

  populateAccessToken(_claims: Claims, _ctx: AccessTokenContext): void | Promise<void> {}

  populateServerMetadata(_metadata: Claims): void | Promise<void> {}

  getUserSub(_client: OidcClient, user: User): string {
    return String(user.id)
  }

  async getUserBySub(_client: OidcClient, sub: string): Promise<User | null> {
    if (!/^\d+$/.test(sub)) return null
    const user = await UserModel.find(Number(sub))
    return user?.isActive ? user : null
  }

  /** 32 lowercase hex characters, a UUIDv4 without dashes (compat) */
  generateClientId(): string {
    return randomUUID().replaceAll('-', '')
  }

  /** 32 random bytes, base64url (43 characters) */
  generateClientSecret(): string {
    return randomBytes(32).toString('base64url')
  }

  generateUserCode(): string {
    return randomUserCode()
  }

  /** SHA-256, lowercase hex (compat). Changing it makes every stored token unusable. */
  hashToken(token: string): string {
    return sha256Hex(token)
  }

  /** docs/tokens.md#issuer: APP_URL when set, otherwise the request's origin */
  getIssuer(): string {
    if (oidcConfig.appUrl) return oidcConfig.appUrl
    if (!this.ctx) throw new Error('APP_URL must be set to know the issuer outside a request')
    return requestOrigin(this.ctx.request)
  }
}

export default DefaultOidcAdapter
