/**
 * What user:show tells an operator about an account beyond its profile: how
 * many sessions are live, the clients it consented to, the tokens that still
 * work at each client, and its second factors.
 */
import type { DateTime } from 'luxon'
import OidcClient from '#models/oidc_client'
import { countLiveUserSessions } from '#services/accounts/user_sessions'
import { listConsents } from '#services/oidc/authorize/consent_store'
import { liveTokenCounts } from '#services/oidc/tokens/token_store'
import { listAuthenticators } from '#services/mfa/authenticator_store'

export type ConsentSummary = {
  clientId: string
  clientName: string
  scopes: string[]
  grantedAt: DateTime
  expiresAt: DateTime
}

export type ClientTokens = {
  clientId: string
  clientName: string
  accessTokens: number
  refreshTokens: number
}

/** A second factor (an authenticator app, recovery codes, a security key) */
export type Factor = { type: string; createdAt: DateTime; lastUsedAt: DateTime | null }

export type UserOverview = {
  sessions: number
  consents: ConsentSummary[]
  tokens: ClientTokens[]
  factors: Factor[]
}

/** The user's second factors: each authenticator, never its secret */
async function userFactors(userId: number): Promise<Factor[]> {
  const authenticators = await listAuthenticators(userId)
  return authenticators.map((authenticator) => ({
    type: authenticator.type,
    createdAt: authenticator.createdAt,
    lastUsedAt: authenticator.lastUsedAt,
  }))
}

export async function userOverview(userId: number): Promise<UserOverview> {
  const consents = await listConsents(userId)
  const counts = await liveTokenCounts(userId)
  const clientIds = [...new Set([...consents, ...counts].map((row) => row.clientId))]
  const found = await OidcClient.findMany(clientIds)
  const clients = new Map(found.map((client) => [client.id, client.name]))
  const nameOf = (clientId: string) => clients.get(clientId) ?? clientId

  const tokens = new Map<string, ClientTokens>()
  for (const { clientId, type, count } of counts) {
    const entry = tokens.get(clientId) ?? {
      clientId,
      clientName: nameOf(clientId),
      accessTokens: 0,
      refreshTokens: 0,
    }
    if (type === 'at') entry.accessTokens += count
    else entry.refreshTokens += count
    tokens.set(clientId, entry)
  }

  return {
    sessions: await countLiveUserSessions(userId),
    consents: consents.map((consent) => ({
      clientId: consent.clientId,
      clientName: nameOf(consent.clientId),
      scopes: consent.scopes,
      grantedAt: consent.updatedAt,
      expiresAt: consent.expiresAt,
    })),
    tokens: [...tokens.values()],
    factors: await userFactors(userId),
  }
}
