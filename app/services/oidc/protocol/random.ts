/**
 * Opaque values and their storage hashes (docs/tokens.md#token-formats). Randomness comes only
 * from node:crypto.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'

/** `bytes` random bytes as base64url */
export function randomValue(bytes: number) {
  return randomBytes(bytes).toString('base64url')
}

/** 32 random hex characters, for JWT `jti` */
export function randomJti() {
  return randomBytes(16).toString('hex')
}

/** A family id: 22 random characters (docs/tokens.md#families-refresh-and-revocation) */
export function randomFamilyId() {
  return randomBytes(16).toString('base64url')
}

export function sha256Hex(value: string) {
  return createHash('sha256').update(value).digest('hex')
}

/** Constant-time comparison of two strings of any length */
export function constantTimeEqual(a: string, b: string) {
  const left = Buffer.from(a)
  const right = Buffer.from(b)
  return left.length === right.length && timingSafeEqual(left, right)
}
