/**
 * What operators do with signing keys, from keys:* or the admin console:
 * the same checks and messages for both. The rotation rules themselves live
 * in the key store (signing_keys.ts).
 */
import { DateTime } from 'luxon'
import oidcConfig, { type SigningAlg } from '#config/oidc'
import OidcSigningKey from '#models/oidc_signing_key'
import keyStore from '#services/oidc/keys/key_store'

export const SIGNING_ALGS: SigningAlg[] = ['RS256', 'ES256', 'EdDSA']

/** An operator's request that the key rules refuse; nothing was written */
export class KeyManagementError extends Error {}

/**
 * A new key of `alg` (the configured one by default); with `ifMissing`, null
 * when a key of that algorithm is live already.
 */
export async function generateSigningKey(
  alg: string | undefined,
  options: { now?: boolean; ifMissing?: boolean } = {}
): Promise<OidcSigningKey | null> {
  const chosen = (alg ?? oidcConfig.signingAlg) as SigningAlg
  if (!SIGNING_ALGS.includes(chosen))
    throw new KeyManagementError(`unknown algorithm "${alg}"; use RS256, ES256 or EdDSA`)
  if (oidcConfig.privateKey)
    throw new KeyManagementError(
      'IDP_OIDC_PRIVATE_KEY is set: that key signs and database keys are not used'
    )
  if (
    options.ifMissing &&
    (await OidcSigningKey.query().where('alg', chosen).whereNull('retired_at').first())
  )
    return null
  return keyStore.generate(chosen, { now: options.now })
}

/** Retires a key now; refused for the last signing key of the configured algorithm */
export async function retireSigningKey(kid: string): Promise<OidcSigningKey> {
  try {
    return await keyStore.retire(kid)
  } catch (error) {
    throw new KeyManagementError((error as Error).message)
  }
}

export type KeyState = 'signing' | 'waiting' | 'published' | 'withdrawn'

export type ListedKey = { key: OidcSigningKey; state: KeyState; publishedUntil: DateTime | null }

/**
 * Every key, newest first, with what it does now: signing (the key the store
 * signs with for its algorithm), waiting (published, signs later), published
 * (retired, still in the JWKS for the tokens it signed) or withdrawn.
 */
export async function listSigningKeys(now = DateTime.utc()): Promise<ListedKey[]> {
  const keys = await OidcSigningKey.query().orderBy('active_from', 'desc').orderBy('id', 'desc')
  const window = keyStore.retiredKeyWindowSeconds
  const signingAlgs = new Set<string>()
  return keys.map((key) => {
    const publishedUntil = key.retiredAt ? key.retiredAt.plus({ seconds: window }) : null
    const live = !key.retiredAt || key.retiredAt > now
    let state: KeyState
    if (live && key.activeFrom > now) state = 'waiting'
    else if (live && !signingAlgs.has(key.alg)) {
      signingAlgs.add(key.alg)
      state = 'signing'
    } else state = publishedUntil && publishedUntil <= now ? 'withdrawn' : 'published'
    return { key, state, publishedUntil }
  })
}
