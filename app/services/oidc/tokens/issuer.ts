/**
 * Issuing access and refresh tokens (docs/tokens.md#token-formats, docs/endpoints.md#userinfo-endpoint, docs/endpoints.md#revocation-endpoint). Only the hash of a
 * value is stored. JWT access tokens are stored like opaque ones (hash and
 * jti) so that revocation is seen everywhere the row is checked.
 */
import { DateTime } from 'luxon'
import type { WriteTransaction } from '#database/statements'
import type User from '#models/user'
import type OidcClient from '#models/oidc_client'
import oidcConfig from '#config/oidc'
import keyStore from '#services/oidc/keys/key_store'
import type { OidcAdapter } from '#services/oidc/adapter/adapter'
import type { Row } from '#database/rows'
import { insertTokens, tokenRow, type NewToken } from '#services/oidc/tokens/token_store'
import { randomJti, randomValue } from '#services/oidc/protocol/random'
import { joinScopes } from '#services/oidc/protocol/scopes'
import { auditEvent, logEvent } from '#services/audit/record_event'
import { eventRow } from '#services/audit/event_store'
import type { AuthenticationMethod } from '#services/mfa/authentication_methods'

/** Who and what a token is for; shared by every token of one issue */
export type TokenGrant = {
  client: OidcClient
  user: User | null
  scopes: string[]
  familyId: string
  /** The email chosen at consent, or null for the primary (docs/tokens.md#the-email-shared-with-a-client) */
  email: string | null
  authTime: number | null
  /** How the user authenticated (RFC 8176), null when unknown or without a user */
  amr: AuthenticationMethod[] | null
  sid: string | null
  /** The family began with the device grant */
  fromDevice?: boolean
}

export type IssuedToken = { value: string; expiresIn: number }

/** The configured JWT access token audience: unset = the issuer, "" = none */
export function accessTokenAudience(issuer: string) {
  const audience = oidcConfig.accessTokenAudience
  return audience === undefined ? issuer : audience
}

async function jwtAccessToken(adapter: OidcAdapter, grant: TokenGrant, jti: string, iat: number) {
  const issuer = adapter.getIssuer()
  const audience = accessTokenAudience(issuer)
  const claims: Record<string, unknown> = {
    iss: issuer,
    exp: iat + oidcConfig.accessTokenExpiresIn,
    iat,
    jti,
  }
  if (audience !== null) claims.aud = audience
  if (grant.user) claims.sub = adapter.getUserSub(grant.client, grant.user)
  claims.client_id = grant.client.id
  if (grant.scopes.length) claims.scope = joinScopes(grant.scopes)
  claims.token_use = 'access'
  if (grant.user && grant.authTime !== null) claims.auth_time = grant.authTime
  await adapter.populateAccessToken(claims, {
    client: grant.client,
    scopes: grant.scopes,
    user: grant.user,
  })
  return keyStore.sign(claims, 'at+jwt')
}

function newToken(
  adapter: OidcAdapter,
  grant: TokenGrant,
  type: 'at' | 'rt',
  value: string,
  now: DateTime,
  extra: {
    jti?: string | null
    expiresAt: DateTime | null
    parentId?: number | null
    scopes?: string[]
  }
): NewToken {
  return {
    type,
    hash: adapter.hashToken(value),
    jti: extra.jti ?? null,
    clientId: grant.client.id,
    userId: grant.user?.id ?? null,
    familyId: grant.familyId,
    parentId: extra.parentId ?? null,
    scopes: extra.scopes ?? grant.scopes,
    data: grant.email ? { email: grant.email } : null,
    authTime: grant.authTime,
    amr: grant.amr,
    sid: grant.sid,
    fromDevice: grant.fromDevice ?? false,
    createdAt: now,
    expiresAt: extra.expiresAt,
  }
}

export type RefreshOptions = {
  /** The RT this one is rotated from */
  parentId?: number | null
  /** The family's absolute expiry (docs/tokens.md#families-refresh-and-revocation); computed from now for a new family */
  expiresAt?: DateTime | null
  /** The refresh token's scopes when the access token's are narrower (a narrowing refresh) */
  scopes?: string[]
}

export type PreparedTokens = {
  accessToken: IssuedToken
  refreshToken: string | null
  rows: Row[]
}

/**
 * Mints the values and rows of one issue without writing anything. Signing a
 * JWT may read the keys and runs the adapter, which both use the database, so
 * this runs before the caller's transaction: SQLite has a single connection,
 * which the transaction would be holding.
 */
export async function prepareTokens(
  adapter: OidcAdapter,
  grant: TokenGrant,
  refresh: RefreshOptions | false = false
): Promise<PreparedTokens> {
  const now = DateTime.utc()
  const iat = Math.floor(now.toSeconds())
  const expiresIn = oidcConfig.accessTokenExpiresIn
  const jti = oidcConfig.accessTokenFormat === 'jwt' ? randomJti() : null
  const accessValue = jti ? await jwtAccessToken(adapter, grant, jti, iat) : randomValue(64)
  const rows = [
    tokenRow(
      newToken(adapter, grant, 'at', accessValue, now, {
        jti,
        expiresAt: now.plus({ seconds: expiresIn }),
      })
    ),
  ]

  let refreshValue: string | null = null
  if (refresh) {
    refreshValue = randomValue(64)
    const lifetime = oidcConfig.refreshTokenExpiresIn
    const expiresAt =
      refresh.expiresAt !== undefined
        ? refresh.expiresAt
        : lifetime === null
          ? null
          : now.plus({ seconds: lifetime })
    rows.push(
      tokenRow(
        newToken(adapter, grant, 'rt', refreshValue, now, {
          expiresAt,
          parentId: refresh.parentId,
          scopes: refresh.scopes,
        })
      )
    )
  }
  return { accessToken: { value: accessValue, expiresIn }, refreshToken: refreshValue, rows }
}

/** How tokens were asked for, for their audit event */
export type IssueContext = {
  /** The grant type, or `implicit` at the authorization endpoint */
  grantType: string
  ip: string
  /** Whether an ID token goes with them */
  idToken: boolean
}

/** The `tokens.issued` event: which tokens, never their values */
function issuedEvent(grant: TokenGrant, prepared: PreparedTokens | null, issue: IssueContext) {
  const tokens = [
    ...(prepared ? ['access_token'] : []),
    ...(prepared?.refreshToken ? ['refresh_token'] : []),
    ...(issue.idToken ? ['id_token'] : []),
  ]
  return auditEvent('tokens.issued', {
    userId: grant.user?.id ?? null,
    clientId: grant.client.id,
    ip: issue.ip,
    data: {
      grant_type: issue.grantType,
      tokens,
      scopes: grant.scopes,
      family_id: grant.familyId,
    },
  })
}

/**
 * Writes prepared tokens in one insert with their audit event, inside the
 * caller's transaction when one is given. `prepared` is null for an ID token
 * alone (response_type=id_token): only the event is written.
 */
export async function storeTokens(
  grant: TokenGrant,
  prepared: PreparedTokens | null,
  issue: IssueContext,
  trx?: WriteTransaction
) {
  const event = issuedEvent(grant, prepared, issue)
  await insertTokens(prepared?.rows ?? [], trx, [eventRow(event)])
  if (trx) trx.after('commit', () => logEvent(event))
  else logEvent(event)
}

/** Issues tokens outside any transaction (client credentials) */
export async function issueTokens(
  adapter: OidcAdapter,
  grant: TokenGrant,
  issue: IssueContext,
  refresh: RefreshOptions | false = false
) {
  const prepared = await prepareTokens(adapter, grant, refresh)
  await storeTokens(grant, prepared, issue)
  return prepared
}
