/**
 * A user's security keys and passkeys (allauth's mfa/webauthn flows): list,
 * add, rename, remove, and use one, rows of mfa_authenticators with type
 * `webauthn` in allauth's data shape (stored_credentials.ts).
 */
import type { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import type MfaAuthenticator from '#models/mfa_authenticator'
import {
  changeAuthenticatorData,
  createAuthenticator,
  dataOf,
  deleteAuthenticator,
  findAuthenticator,
  findAuthenticatorById,
  listAuthenticators,
} from '#services/mfa/authenticator_store'
import { ensureRecoveryCodes } from '#services/mfa/recovery_codes'
import { verifyAssertion } from '#services/mfa/webauthn/ceremonies'
import type { RelyingParty } from '#services/mfa/webauthn/relying_party'
import {
  keyCredential,
  readStoredKey,
  type KeyCredential,
  type StoredKey,
} from '#services/mfa/webauthn/stored_credentials'
import type { RegistrationResponseJSON } from '@simplewebauthn/server'

/** How the list names a key: allauth reads credProps.rk from its registration */
export type KeyKind = 'passkey' | 'security_key' | 'unspecified'

export type SecurityKey = {
  id: number
  name: string
  kind: KeyKind
  createdAt: DateTime
  lastUsedAt: DateTime | null
}

type UsableKey = { authenticator: MfaAuthenticator; stored: StoredKey; credential: KeyCredential }

/** The user's keys whose data can be read, oldest first */
async function usableKeys(userId: number): Promise<UsableKey[]> {
  const keys: UsableKey[] = []
  for (const authenticator of await listAuthenticators(userId)) {
    if (authenticator.type !== 'webauthn') continue
    const stored = readStoredKey(dataOf(authenticator))
    const credential = stored && keyCredential(stored)
    if (stored && credential) keys.push({ authenticator, stored, credential })
  }
  return keys
}

export async function listSecurityKeys(userId: number): Promise<SecurityKey[]> {
  const keys = await usableKeys(userId)
  return keys.map(({ authenticator, stored, credential }) => ({
    id: authenticator.id,
    name: stored.name,
    kind:
      credential.passwordless === null
        ? 'unspecified'
        : credential.passwordless
          ? 'passkey'
          : 'security_key',
    createdAt: authenticator.createdAt,
    lastUsedAt: authenticator.lastUsedAt,
  }))
}

/** The credentials of the user's keys (for excludeCredentials and allowCredentials) */
export async function keyCredentials(userId: number): Promise<KeyCredential[]> {
  const keys = await usableKeys(userId)
  return keys.map((key) => key.credential)
}

/** allauth's generate_authenticator_name: the name the add form proposes */
export async function proposedKeyName(userId: number): Promise<string> {
  const authenticators = await listAuthenticators(userId)
  const count = authenticators.filter((row) => row.type === 'webauthn').length
  if (count === 0) return 'Master key'
  if (count === 1) return 'Backup key'
  return `Key nr. ${count + 1}`
}

/**
 * Stores a checked registration under `name` (the proposed name when blank).
 * `madeRecoveryCodes`: whether this first factor also made the user's
 * recovery codes (the page shows them next, as allauth does).
 */
export async function addSecurityKey(
  userId: number,
  name: string,
  registration: { credential: RegistrationResponseJSON; signCount: number }
): Promise<{ id: number; madeRecoveryCodes: boolean }> {
  const stored: StoredKey = {
    name: name.trim().slice(0, 100) || (await proposedKeyName(userId)),
    credential: registration.credential,
    sign_count: registration.signCount,
  }
  const hadCodes = (await findAuthenticator(userId, 'recovery_codes')) !== null
  /* the key and the first recovery codes together, or neither */
  const { row, codes } = await db.transaction(async (trx) => ({
    row: await createAuthenticator(userId, 'webauthn', stored, trx),
    codes: hadCodes ? null : await ensureRecoveryCodes(userId, trx),
  }))
  return { id: row.id, madeRecoveryCodes: codes !== null }
}

export async function findSecurityKey(userId: number, id: number): Promise<SecurityKey | null> {
  const keys = await listSecurityKeys(userId)
  return keys.find((key) => key.id === id) ?? null
}

/** Renames the user's key; false when it is not theirs */
export async function renameSecurityKey(userId: number, id: number, name: string) {
  const authenticator = await findAuthenticatorById(userId, id)
  if (authenticator?.type !== 'webauthn') return false
  const data = dataOf(authenticator)
  return changeAuthenticatorData(authenticator, { ...data, name: name.trim().slice(0, 100) })
}

/**
 * Removes the user's key; false when it is not theirs. Recovery codes left
 * with no other factor go too (allauth's delete_dangling_recovery_codes).
 */
export async function removeSecurityKey(userId: number, id: number) {
  const authenticator = await findAuthenticatorById(userId, id)
  if (authenticator?.type !== 'webauthn') return false
  await deleteAuthenticator(authenticator)
  const rest = await listAuthenticators(userId)
  if (rest.every((row) => row.type === 'recovery_codes'))
    for (const row of rest) await deleteAuthenticator(row)
  return true
}

export type KeyUse = { userId: number; authenticatorId: number; method: 'hwk' | 'swk' }

/**
 * An assertion by one of the user's keys: checked, its signature counter
 * stored, the key marked used. The counter is written over the data it was
 * read with, so that one assertion replayed at once by two requests passes
 * only once. `passkey`: a sign-in without password, where the person must be
 * verified by the key.
 */
export async function useSecurityKey(
  rp: RelyingParty,
  userId: number,
  answer: unknown,
  challenge: string,
  { passkey }: { passkey: boolean }
): Promise<KeyUse | null> {
  const checked = await verifyAssertion(rp, answer, challenge, await usableKeys(userId), {
    requireUserVerification: passkey,
  })
  if (!checked) return null
  const { authenticator } = checked.key
  const data = { ...dataOf(authenticator), sign_count: checked.newCounter }
  if (!(await changeAuthenticatorData(authenticator, data, { used: true }))) return null
  return { userId, authenticatorId: authenticator.id, method: checked.method }
}
