/**
 * The ID token (docs/tokens.md#id-token): protocol claims in the contract's order, then
 * the adapter's claims for the granted scopes, then populateIdToken. Issuing
 * one with a `sid` records the client for back-channel logout.
 */
import { createHash } from 'node:crypto'
import type { WriteTransaction } from '#database/statements'
import type User from '#models/user'
import type OidcClient from '#models/oidc_client'
import oidcConfig from '#config/oidc'
import keyStore from '#services/oidc/keys/key_store'
import type { Claims, OidcAdapter } from '#services/oidc/adapter/adapter'
import { randomJti } from '#services/oidc/protocol/random'
import { recordSessionClient } from '#services/oidc/logout/session_client_store'
import type { AuthenticationMethod } from '#services/mfa/authentication_methods'
import { acrOf } from '#services/mfa/assurance'

export type IdTokenInput = {
  client: OidcClient
  user: User
  scopes: string[]
  authTime: number
  /** How the user authenticated (RFC 8176); no amr or acr claim when unknown */
  amr?: AuthenticationMethod[] | null
  email: string | null
  nonce?: string | null
  sid?: string | null
  /** The access token of the same response, for at_hash */
  accessToken?: string | null
  /** The code of the same authorization response, for c_hash */
  code?: string | null
  requestedClaims?: Claims | null
}

/**
 * OIDC Core §3.1.3.6 / §3.3.2.11: the left half of the hash of the ASCII
 * value, base64url; the hash follows the signing algorithm.
 */
export function halfHash(value: string) {
  const algorithm = oidcConfig.signingAlg === 'EdDSA' ? 'sha512' : 'sha256'
  const digest = createHash(algorithm).update(value, 'ascii').digest()
  return digest.subarray(0, digest.length / 2).toString('base64url')
}

/**
 * Builds and signs an ID token without writing anything: the adapter and the
 * key store read the database, so callers with a transaction sign before it.
 */
export async function signIdToken(adapter: OidcAdapter, input: IdTokenInput): Promise<string> {
  const { client, user } = input
  const iat = Math.floor(Date.now() / 1000)
  const claims: Claims = {
    iss: adapter.getIssuer(),
    sub: adapter.getUserSub(client, user),
    aud: client.id,
    exp: iat + oidcConfig.idTokenExpiresIn,
    iat,
    auth_time: input.authTime,
  }
  if (input.amr?.length) {
    claims.amr = input.amr
    claims.acr = acrOf(input.amr)
  }
  if (input.nonce) claims.nonce = input.nonce
  claims.azp = client.id
  if (input.sid) claims.sid = input.sid
  if (input.accessToken) claims.at_hash = halfHash(input.accessToken)
  if (input.code) claims.c_hash = halfHash(input.code)
  claims.jti = randomJti()
  const scopeClaims = await adapter.getClaims('id_token', user, client, input.scopes, input.email, {
    requestedClaims: input.requestedClaims ?? null,
  })
  for (const [name, value] of Object.entries(scopeClaims))
    if (!(name in claims)) claims[name] = value
  await adapter.populateIdToken(claims, { client, scopes: input.scopes, user })
  return keyStore.sign(claims, 'JWT')
}

/** An ID token carrying a `sid` records its client for back-channel logout */
export async function recordIdTokenSession(
  input: Pick<IdTokenInput, 'client' | 'user' | 'sid'>,
  trx?: WriteTransaction
) {
  if (!input.sid) return
  await recordSessionClient(
    { sid: input.sid, clientId: input.client.id, userId: input.user.id },
    trx
  )
}
