/**
 * Opaque values and their storage hashes (docs/tokens.md#token-formats). Randomness comes only
 * from node:crypto.
 */
import { createHash, randomFillSync, timingSafeEqual } from 'node:crypto'

/*
 * The generator's bytes are drawn 4 KiB at a time, as Node does for
 * randomUUID: a call per value cost more than the bytes themselves (5% of a
 * client_credentials request in the profile). Each byte is handed out once.
 */
const pool = Buffer.alloc(4096)
let used = pool.length

/** Where the next `bytes` (at most 4,096) unused bytes start in the pool */
function draw(bytes: number) {
  if (used + bytes > pool.length) {
    randomFillSync(pool)
    used = 0
  }
  const start = used
  used += bytes
  return start
}

/** `bytes` (at most 4,096) random bytes, as a string in `encoding` */
export function randomString(bytes: number, encoding: 'base64url' | 'base64' | 'hex') {
  const start = draw(bytes)
  return pool.toString(encoding, start, start + bytes)
}

/** `bytes` random bytes as base64url */
export function randomValue(bytes: number) {
  return randomString(bytes, 'base64url')
}

/** 32 random hex characters, for JWT `jti` */
export function randomJti() {
  return randomString(16, 'hex')
}

/**
 * A family id, 22 characters (docs/tokens.md#families-refresh-and-revocation):
 * the time in milliseconds (6 bytes), then 10 random bytes. Ids made close in
 * time share their first characters, so a new token's entry in the family
 * index lands on the page the last ones did, not on a random one: a token row
 * is written a third faster on SQLite.
 */
export function randomFamilyId() {
  const id = Buffer.alloc(16)
  id.writeUIntBE(Date.now(), 0, 6)
  const start = draw(10)
  pool.copy(id, 6, start, start + 10)
  return id.toString('base64url')
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
