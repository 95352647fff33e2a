/**
 * Client secrets (data.md §3). Secrets are 256-bit random values, so a plain
 * SHA-256 is enough and costs microseconds; PBKDF2 hashes brought over from
 * allauth are accepted once and upgraded.
 */
import { createHash, pbkdf2, timingSafeEqual } from 'node:crypto'
import { promisify } from 'node:util'
import db from '@adonisjs/lucid/services/db'
import type OidcClient from '#models/oidc_client'

const pbkdf2Async = promisify(pbkdf2)

/** What public clients store: never matches */
export const NO_SECRET = '!'

export function hashClientSecret(secret: string) {
  return `sha256$${createHash('sha256').update(secret).digest('hex')}`
}

/** A Django `pbkdf2_sha256$<iterations>$<salt>$<b64>` hash, as allauth stores it */
export function isPbkdf2Hash(stored: string) {
  return /^pbkdf2_sha256\$\d+\$[^$]+\$[A-Za-z0-9+/=]+$/.test(stored)
}

/** Whether `presented` matches the stored hash, in constant time */
export async function secretMatches(stored: string, presented: string): Promise<boolean> {
  if (stored.startsWith('sha256$')) {
    const expected = Buffer.from(stored.slice(7), 'hex')
    const actual = createHash('sha256').update(presented).digest()
    return expected.length === actual.length && timingSafeEqual(expected, actual)
  }
  if (isPbkdf2Hash(stored)) {
    const [, iterations, salt, b64] = stored.split('$')
    const expected = Buffer.from(b64, 'base64')
    const actual = await pbkdf2Async(presented, salt, Number(iterations), expected.length, 'sha256')
    return expected.length === actual.length && timingSafeEqual(expected, actual)
  }
  return false
}

/**
 * Checks a confidential client's secret; a matching PBKDF2 hash is rewritten
 * as `sha256$…` so PBKDF2 runs at most once per client.
 */
export async function verifyClientSecret(client: OidcClient, presented: string): Promise<boolean> {
  if (!(await secretMatches(client.secret, presented))) return false
  if (isPbkdf2Hash(client.secret)) {
    /* the instance may be shared (read-only); the next lookup reads the new hash */
    await db
      .from('oidc_clients')
      .where('id', client.id)
      .where('secret', client.secret)
      .update({ secret: hashClientSecret(presented) })
  }
  return true
}
