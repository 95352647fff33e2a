/**
 * Recovery codes stored as allauth stores them, so that codes printed on an
 * allauth site keep working here: no codes, but a secret `seed` (40 random
 * bytes as hex, sealed with APP_KEY) and a `used_mask` with bit i set once
 * code i was used. Code i is the first MFA_RECOVERY_CODE_DIGITS / 2 bytes of
 * HMAC-SHA1(seed, "  0,  1, …  i,") read big-endian, modulo 10^digits,
 * zero-padded. Sets allauth imported from a list (`migrated_codes`, sealed
 * one by one) are used from that list.
 */
import { createHmac, randomBytes } from 'node:crypto'
import mfaConfig from '#config/mfa'
import type MfaAuthenticator from '#models/mfa_authenticator'
import {
  changeAuthenticatorData,
  createAuthenticator,
  dataOf,
  findAuthenticator,
  hasSecondFactor,
  openSecret,
  sealSecret,
} from '#services/mfa/authenticator_store'
import { constantTimeEqual } from '#services/oidc/protocol/random'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'

/** allauth's generate_seed: 40 random bytes as hex */
export const generateRecoverySeed = () => randomBytes(40).toString('hex')

/** The codes of a seed, in order, as allauth derives them */
export function deriveRecoveryCodes(
  seed: string,
  count = mfaConfig.recoveryCodeCount,
  digits = mfaConfig.recoveryCodeDigits
): string[] {
  const byteCount = Math.min(Math.floor(digits / 2), 20)
  const modulus = 10n ** BigInt(digits)
  const codes: string[] = []
  let message = ''
  for (let index = 0; index < count; index++) {
    /* allauth feeds one HMAC `f"{i:3},"` after another and reads the digest each time */
    message += `${String(index).padStart(3, ' ')},`
    const digest = createHmac('sha1', Buffer.from(seed, 'ascii')).update(message, 'ascii').digest()
    const value = BigInt(`0x${digest.subarray(0, byteCount).toString('hex')}`) % modulus
    codes.push(value.toString().padStart(digits, '0'))
  }
  return codes
}

const isUsed = (mask: number, index: number) => Math.floor(mask / 2 ** index) % 2 === 1

type RecoveryState =
  { kind: 'seed'; codes: string[]; mask: number } | { kind: 'migrated'; codes: string[] }

function stateOf(authenticator: MfaAuthenticator): RecoveryState | null {
  const data = dataOf(authenticator)
  if (Array.isArray(data.migrated_codes)) {
    const codes = data.migrated_codes.map(openSecret)
    return codes.every((code) => code !== null)
      ? { kind: 'migrated', codes: codes as string[] }
      : null
  }
  const seed = openSecret(data.seed)
  if (!seed) return null
  const mask = typeof data.used_mask === 'number' ? data.used_mask : 0
  return { kind: 'seed', codes: deriveRecoveryCodes(seed), mask }
}

/** The codes not used yet */
export function unusedRecoveryCodes(authenticator: MfaAuthenticator): string[] {
  const state = stateOf(authenticator)
  if (!state) return []
  if (state.kind === 'migrated') return state.codes
  return state.codes.filter((_, index) => !isUsed(state.mask, index))
}

/** A set's size: MFA_RECOVERY_CODE_COUNT, or the length of a migrated list */
export function recoveryCodeTotal(authenticator: MfaAuthenticator): number {
  const state = stateOf(authenticator)
  return state?.kind === 'migrated' ? state.codes.length : mfaConfig.recoveryCodeCount
}

/** Uses a code once: true when it was unused, and is used now */
export async function useRecoveryCode(authenticator: MfaAuthenticator, code: string) {
  const typed = code.replace(/[\s-]/g, '')
  const state = stateOf(authenticator)
  if (!state || !typed) return false
  const data = dataOf(authenticator)
  if (state.kind === 'migrated') {
    const index = state.codes.findIndex((candidate) => constantTimeEqual(candidate, typed))
    if (index < 0) return false
    const rest = (data.migrated_codes as unknown[]).filter((_, at) => at !== index)
    return changeAuthenticatorData(authenticator, { ...data, migrated_codes: rest }, { used: true })
  }
  let match = -1
  state.codes.forEach((candidate, index) => {
    if (!isUsed(state.mask, index) && constantTimeEqual(candidate, typed)) match = index
  })
  if (match < 0) return false
  const usedMask = state.mask + 2 ** match
  return changeAuthenticatorData(authenticator, { ...data, used_mask: usedMask }, { used: true })
}

/** The user's recovery codes, made now unless they exist (allauth's RecoveryCodes.activate) */
export async function ensureRecoveryCodes(userId: number, trx?: TransactionClientContract) {
  if (!mfaConfig.supportedTypes.includes('recovery_codes')) return null
  const existing = await findAuthenticator(userId, 'recovery_codes', trx)
  if (existing) return existing
  return createAuthenticator(
    userId,
    'recovery_codes',
    { seed: sealSecret(generateRecoverySeed()), used_mask: 0 },
    trx
  )
}

/**
 * A fresh set in place of the old one (the old codes stop working), or the
 * first set; only for a user with a factor for the codes to back up. Whether
 * a set was made.
 */
export async function replaceRecoveryCodes(userId: number): Promise<boolean> {
  if (!(await hasSecondFactor(userId))) return false
  const existing = await findAuthenticator(userId, 'recovery_codes')
  if (!existing) return (await ensureRecoveryCodes(userId)) !== null
  const fresh = { seed: sealSecret(generateRecoverySeed()), used_mask: 0 }
  /* a code used meanwhile changed the row: the new set replaces it all the same */
  while (!(await changeAuthenticatorData(existing, fresh))) {
    const current = await findAuthenticator(userId, 'recovery_codes')
    if (!current) return (await ensureRecoveryCodes(userId)) !== null
    existing.data = current.data
  }
  return true
}
