/**
 * The one owner of mfa_authenticators. `data` is the JSON allauth keeps for
 * each type (TOTP: `secret`; recovery codes: `seed`, `used_mask`; WebAuthn:
 * the credential), with every secret sealed by sealSecret. A change to
 * `data` is written only over the text it was read with, so that two
 * processes validating the same code at once cannot both succeed.
 */
import { DateTime } from 'luxon'
import encryption from '@adonisjs/core/services/encryption'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import MfaAuthenticator from '#models/mfa_authenticator'
import { sqlTime } from '#models/columns'
import type { AuthenticatorType } from '#start/mfa_settings'
import mfaConfig from '#config/mfa'

export type AuthenticatorData = Record<string, unknown>

/* Sealed values are bound to this purpose: a session cookie's ciphertext does not open here */
const PURPOSE = 'mfa_authenticator'

/** A secret encrypted with APP_KEY (AES-256-GCM), for storing in `data` */
export function sealSecret(secret: string): string {
  return encryption.encrypt(secret, undefined, PURPOSE)
}

/** The secret sealSecret sealed; null when APP_KEY changed or the value was tampered with */
export function openSecret(sealed: unknown): string | null {
  if (typeof sealed !== 'string') return null
  return encryption.decrypt<string>(sealed, PURPOSE)
}

/** The parsed `data` of an authenticator */
export function dataOf(authenticator: MfaAuthenticator): AuthenticatorData {
  const value = JSON.parse(authenticator.data)
  return value && typeof value === 'object' ? (value as AuthenticatorData) : {}
}

/** The user's authenticators of the supported types, oldest first */
export async function listAuthenticators(userId: number): Promise<MfaAuthenticator[]> {
  return MfaAuthenticator.query()
    .where('user_id', userId)
    .whereIn('type', mfaConfig.supportedTypes)
    .orderBy('id')
}

export async function findAuthenticator(
  userId: number,
  type: AuthenticatorType,
  trx?: TransactionClientContract
): Promise<MfaAuthenticator | null> {
  if (!mfaConfig.supportedTypes.includes(type)) return null
  return MfaAuthenticator.query({ client: trx })
    .where('user_id', userId)
    .where('type', type)
    .first()
}

export async function findAuthenticatorById(
  userId: number,
  id: number
): Promise<MfaAuthenticator | null> {
  return MfaAuthenticator.query().where('user_id', userId).where('id', id).first()
}

/**
 * Whether the user has a factor that can complete a sign-in. Recovery codes
 * alone do not count (allauth: they only back up another factor).
 */
export async function hasSecondFactor(userId: number): Promise<boolean> {
  const types = mfaConfig.supportedTypes.filter((type) => type !== 'recovery_codes')
  if (!types.length) return false
  const row = await MfaAuthenticator.query()
    .where('user_id', userId)
    .whereIn('type', types)
    .select('id')
    .first()
  return row !== null
}

/**
 * A new authenticator. TOTP and recovery codes are one per user: adding a
 * second fails on the unique index, which the caller's transaction rolls back.
 */
export async function createAuthenticator(
  userId: number,
  type: AuthenticatorType,
  data: AuthenticatorData,
  trx?: TransactionClientContract
): Promise<MfaAuthenticator> {
  return MfaAuthenticator.create(
    {
      userId,
      type,
      singleType: type === 'webauthn' ? null : type,
      data: JSON.stringify(data),
      createdAt: DateTime.utc(),
      lastUsedAt: null,
    },
    { client: trx }
  )
}

/**
 * Writes new `data` over the text the authenticator was read with; false
 * (nothing written) when another request changed it first.
 */
export async function changeAuthenticatorData(
  authenticator: MfaAuthenticator,
  data: AuthenticatorData,
  { used = false }: { used?: boolean } = {}
): Promise<boolean> {
  const text = JSON.stringify(data)
  const now = DateTime.utc()
  const changes: Record<string, unknown> = { data: text }
  if (used) changes.last_used_at = sqlTime(now)
  const changed = await MfaAuthenticator.query()
    .where('id', authenticator.id)
    .where('data', authenticator.data)
    .update(changes)
  if (Number(Array.isArray(changed) ? changed[0] : changed) !== 1) return false
  authenticator.data = text
  if (used) authenticator.lastUsedAt = now
  return true
}

/** allauth's record_usage: when the factor last completed a sign-in */
export async function recordUsage(authenticator: MfaAuthenticator) {
  authenticator.lastUsedAt = DateTime.utc()
  await MfaAuthenticator.query()
    .where('id', authenticator.id)
    .update({ last_used_at: sqlTime(authenticator.lastUsedAt) })
}

export async function deleteAuthenticator(authenticator: MfaAuthenticator) {
  await MfaAuthenticator.query().where('id', authenticator.id).delete()
}

/** Removes every authenticator of the user (user:mfa-reset); how many */
export async function deleteAllAuthenticators(userId: number): Promise<number> {
  const deleted = await MfaAuthenticator.query().where('user_id', userId).delete()
  return Number(Array.isArray(deleted) ? deleted[0] : deleted)
}
