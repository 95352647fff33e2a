/**
 * Client secrets (docs/data-model.md#clients-oidc_clients). Secrets are 256-bit random values, so a plain
 * SHA-256 is enough and costs microseconds; the Django password hashes
 * allauth stores them with (PBKDF2 by default, or whichever hasher the site
 * configured) are accepted once and upgraded.
 */
import { createHash, timingSafeEqual } from 'node:crypto'
import db from '@adonisjs/lucid/services/db'
import type OidcClient from '#models/oidc_client'
import { djangoAlgorithm, verifyDjangoHash } from '#services/accounts/passwords/django_hashers'

/** What public clients store: never matches */
export const NO_SECRET = '!'

export function hashClientSecret(secret: string) {
  return `sha256$${createHash('sha256').update(secret).digest('hex')}`
}

/** A Django password hash, as allauth stores client secrets (`make_password`) */
export function isDjangoHash(stored: string) {
  return djangoAlgorithm(stored) !== null
}

/** Whether `presented` matches the stored hash, in constant time */
export async function secretMatches(stored: string, presented: string): Promise<boolean> {
  if (stored.startsWith('sha256$')) {
    const expected = Buffer.from(stored.slice(7), 'hex')
    const actual = createHash('sha256').update(presented).digest()
    return expected.length === actual.length && timingSafeEqual(expected, actual)
  }
  return verifyDjangoHash(stored, presented)
}

/**
 * Checks a confidential client's secret; a matching Django hash is rewritten
 * as `sha256$…` so the slow hash runs at most once per client.
 */
export async function verifyClientSecret(client: OidcClient, presented: string): Promise<boolean> {
  if (!(await secretMatches(client.secret, presented))) return false
  if (isDjangoHash(client.secret)) {
    /* the instance may be shared (read-only); the next lookup reads the new hash */
    await db
      .from('oidc_clients')
      .where('id', client.id)
      .where('secret', client.secret)
      .update({ secret: hashClientSecret(presented) })
  }
  return true
}
