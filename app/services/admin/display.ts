/**
 * What the console's pages show, as plain values (the views only print
 * them): times in UTC to the minute, tokens without their values.
 */
import type MfaAuthenticator from '#models/mfa_authenticator'
import type { AuthenticatorType } from '#start/mfa_settings'
import type { DateTime } from 'luxon'
import type OidcToken from '#models/oidc_token'
import type OidcConsent from '#models/oidc_consent'
import OidcClient from '#models/oidc_client'
import User from '#models/user'
import type { UserSessionView } from '#services/accounts/user_sessions'
import { clientPath, userPath } from '#services/admin/paths'

export function shownTime(time: DateTime | null | undefined) {
  return time ? `${time.toUTC().toFormat('yyyy-MM-dd HH:mm')} UTC` : '—'
}

const TOKEN_TYPES = { at: 'Access token', rt: 'Refresh token' } as const

/** Each user's login as the console names them: username, else primary address */
export async function userNames(ids: number[]): Promise<Map<number, string>> {
  if (!ids.length) return new Map()
  const users = await User.query()
    .whereIn('id', [...new Set(ids)])
    .preload('emailAddresses', (query) => query.orderBy('primary', 'desc').orderBy('id'))
  return new Map(users.map((user) => [user.id, userLabel(user)]))
}

export function userLabel(user: User) {
  return user.username ?? user.emailAddresses?.[0]?.email ?? `user ${user.id}`
}

export async function clientNames(ids: string[]): Promise<Map<string, string>> {
  if (!ids.length) return new Map()
  const clients = await OidcClient.findMany([...new Set(ids)])
  return new Map(clients.map((client) => [client.id, client.name]))
}

export async function tokenRows(tokens: OidcToken[]) {
  const clients = await clientNames(tokens.map((token) => token.clientId))
  const users = await userNames(tokens.flatMap((token) => (token.userId ? [token.userId] : [])))
  return tokens.map((token) => ({
    id: token.id,
    type: TOKEN_TYPES[token.type],
    clientId: token.clientId,
    client: clients.get(token.clientId) ?? token.clientId,
    clientPath: clientPath(token.clientId),
    userId: token.userId,
    userPath: token.userId ? userPath(token.userId) : null,
    user: token.userId ? (users.get(token.userId) ?? `user ${token.userId}`) : '—',
    scopes: token.scopes.join(' '),
    issued: shownTime(token.createdAt),
    expires: token.expiresAt ? shownTime(token.expiresAt) : 'never',
  }))
}

export async function consentRows(consents: OidcConsent[]) {
  const clients = await clientNames(consents.map((consent) => consent.clientId))
  const users = await userNames(consents.map((consent) => consent.userId))
  return consents.map((consent) => ({
    clientId: consent.clientId,
    client: clients.get(consent.clientId) ?? consent.clientId,
    clientPath: clientPath(consent.clientId),
    userId: consent.userId,
    userPath: userPath(consent.userId),
    user: users.get(consent.userId) ?? `user ${consent.userId}`,
    scopes: consent.scopes.join(' '),
    granted: shownTime(consent.updatedAt),
    expires: shownTime(consent.expiresAt),
  }))
}

export function sessionRows(sessions: UserSessionView[]) {
  return sessions.map((session) => ({
    ip: session.ip ?? '—',
    userAgent: session.userAgent ?? '—',
    started: shownTime(session.createdAt),
    lastSeen: shownTime(session.lastSeenAt),
  }))
}

const FACTOR_TYPES: Record<AuthenticatorType, string> = {
  totp: 'Authenticator app (TOTP)',
  recovery_codes: 'Recovery codes',
  webauthn: 'Security key (WebAuthn)',
}

/** A user's second factors, without their secrets */
export function factorRows(authenticators: MfaAuthenticator[]) {
  return authenticators.map((authenticator) => ({
    type: FACTOR_TYPES[authenticator.type] ?? authenticator.type,
    created: shownTime(authenticator.createdAt),
    lastUsed: authenticator.lastUsedAt ? shownTime(authenticator.lastUsedAt) : 'never',
  }))
}
