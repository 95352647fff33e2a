/**
 * Signing keys (docs/tokens.md#signing-keys, docs/data-model.md#signing-keys-oidc_signing_keys): the key that signs, the JWKS, and
 * verification of our own JWTs. Keys are imported once per process and reloaded
 * from the database at most every 60 s (or at once after a local change), never
 * per request. With IDP_OIDC_PRIVATE_KEY set, that key alone is used.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto'
import { DateTime } from 'luxon'
import { CompactSign, calculateJwkThumbprint, jwtVerify, type JWK, type JWTPayload } from 'jose'
import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import encryption from '@adonisjs/core/services/encryption'
import OidcSigningKey from '#models/oidc_signing_key'
import { sqlTime } from '#models/columns'
import { deleteInBatches } from '#database/statements'
import { InvalidSettingError, signingAlgOf } from '#start/settings'
import type { OidcConfig, SigningAlg } from '#config/oidc'

/** A new key is published this long before it signs: the JWKS cache lifetime */
export const KEY_PUBLICATION_LEAD_SECONDS = 300
const RELOAD_INTERVAL_MS = 60_000
const utf8 = new TextEncoder()

type LoadedKey = {
  kid: string
  alg: SigningAlg
  privateKey: KeyObject
  publicKey: KeyObject
  jwk: JWK
}

/** Printed as one line at boot (bin/boot_error.ts): the operator has to make a key */
export class NoSigningKeyError extends Error {
  code = 'E_NO_SIGNING_KEY'
  constructor(alg: SigningAlg) {
    const generate = alg === 'RS256' ? 'keys:generate' : `keys:generate --alg ${alg}`
    super(`no ${alg} signing key in the database; run \`node ace ${generate}\` first`)
  }
}

/** JWKS member order of docs/endpoints.md#jwks */
function publicJwk(kid: string, alg: SigningAlg, publicKey: KeyObject): JWK {
  const jwk = publicKey.export({ format: 'jwk' }) as JWK
  const common = { kty: jwk.kty, kid, alg, key_ops: ['verify'] }
  if (jwk.kty === 'RSA') return { ...common, n: jwk.n, e: jwk.e }
  if (jwk.kty === 'EC') return { ...common, crv: jwk.crv, x: jwk.x, y: jwk.y }
  return { ...common, crv: jwk.crv, x: jwk.x }
}

export async function thumbprint(publicKey: KeyObject) {
  return calculateJwkThumbprint(publicKey.export({ format: 'jwk' }) as JWK, 'sha256')
}

export function generatePrivateKey(alg: SigningAlg): KeyObject {
  if (alg === 'RS256') return generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey
  if (alg === 'ES256') return generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey
  return generateKeyPairSync('ed25519').privateKey
}

export class KeyStore {
  #signing = new Map<SigningAlg, LoadedKey>()
  #byKid = new Map<string, LoadedKey>()
  #jwks: JWK[] = []
  #loadedAt = 0
  #loading: Promise<void> | null = null

  constructor(private config: OidcConfig) {}

  /** How long a retired key stays published (docs/tokens.md#signing-keys) */
  get retiredKeyWindowSeconds() {
    const accessTokenLifetime =
      this.config.accessTokenFormat === 'jwt' ? this.config.accessTokenExpiresIn : 0
    return Math.max(this.config.idTokenExpiresIn, accessTokenLifetime, 120)
  }

  async load(force = false) {
    if (!force && Date.now() - this.#loadedAt < RELOAD_INTERVAL_MS) return
    this.#loading ??= this.#read().finally(() => (this.#loading = null))
    await this.#loading
  }

  async #read() {
    const signing = new Map<SigningAlg, LoadedKey>()
    const byKid = new Map<string, LoadedKey>()
    const ordered: LoadedKey[] = []
    if (this.config.privateKey) {
      const publicKey = createPublicKey(this.config.privateKey)
      const alg = signingAlgOf(this.config.privateKey)
      const kid = await thumbprint(publicKey)
      const key = {
        kid,
        alg,
        privateKey: this.config.privateKey,
        publicKey,
        jwk: publicJwk(kid, alg, publicKey),
      }
      signing.set(alg, key)
      ordered.push(key)
    } else {
      const now = DateTime.utc()
      const rows = await OidcSigningKey.query()
        .where((q) =>
          q
            .whereNull('retired_at')
            .orWhere(
              'retired_at',
              '>',
              sqlTime(now.minus({ seconds: this.retiredKeyWindowSeconds }))
            )
        )
        .orderBy('active_from', 'desc')
      const pending: LoadedKey[] = []
      const retired: LoadedKey[] = []
      for (const row of rows) {
        const pem = encryption.decrypt<string>(row.privateKey)
        if (!pem)
          throw new InvalidSettingError(
            'APP_KEY',
            `cannot decrypt signing key ${row.kid}; was APP_KEY changed?`
          )
        const privateKey = createPrivateKey(pem)
        const publicKey = createPublicKey(privateKey)
        const key = {
          kid: row.kid,
          alg: row.alg,
          privateKey,
          publicKey,
          jwk: publicJwk(row.kid, row.alg, publicKey),
        }
        byKid.set(key.kid, key)
        const signsNow = row.activeFrom <= now && (!row.retiredAt || row.retiredAt > now)
        if (signsNow && !signing.has(row.alg)) signing.set(row.alg, key)
        else if (row.activeFrom > now) pending.push(key)
        else retired.push(key)
      }
      const preferred = signing.get(this.config.signingAlg)
      ordered.push(...(preferred ? [preferred] : []))
      ordered.push(
        ...[...signing.values()].filter((key) => key !== preferred),
        ...pending,
        ...retired
      )
    }
    for (const key of ordered) byKid.set(key.kid, key)
    this.#signing = signing
    this.#byKid = byKid
    this.#jwks = ordered.map((key) => key.jwk)
    this.#loadedAt = Date.now()
  }

  /** The key that signs now for the configured algorithm */
  async signingKey(): Promise<LoadedKey> {
    await this.load()
    const key = this.#signing.get(this.config.signingAlg)
    if (!key) throw new NoSigningKeyError(this.config.signingAlg)
    return key
  }

  /** keys:list: the kid of the key that signs now, or null (none yet, or IDP_OIDC_PRIVATE_KEY signs) */
  async signingKid(): Promise<string | null> {
    if (this.config.privateKey) return null
    await this.load()
    return this.#signing.get(this.config.signingAlg)?.kid ?? null
  }

  async jwks(): Promise<{ keys: JWK[] }> {
    await this.load()
    return { keys: this.#jwks }
  }

  /**
   * Signs claims as a JWT with header {alg, kid, typ}. The claims are ours,
   * so they are signed as they are (a JWS of their JSON): jose's SignJWT would
   * first deep-copy and check them, a fifth of what an ES256 signature costs
   * the event loop (about 6 of 30 µs; the signature itself runs on libuv's pool).
   */
  async sign(claims: JWTPayload, typ: string): Promise<string> {
    const key = await this.signingKey()
    return new CompactSign(utf8.encode(JSON.stringify(claims)))
      .setProtectedHeader({ alg: key.alg, kid: key.kid, typ })
      .sign(key.privateKey)
  }

  /**
   * Verifies one of our JWTs against a published key; the algorithm is pinned
   * to the key's own. Expiry is checked only when asked.
   */
  async verify(jwt: string, options: { issuer: string; checkExpiry: boolean }) {
    await this.load()
    const { payload, protectedHeader } = await jwtVerify(
      jwt,
      async (header) => {
        const key = header.kid ? this.#byKid.get(header.kid) : undefined
        if (!key || header.alg !== key.alg) throw new Error('unknown key')
        return key.publicKey
      },
      {
        issuer: options.issuer,
        ...(options.checkExpiry ? {} : { currentDate: new Date(0) }),
        algorithms: ['RS256', 'ES256', 'EdDSA'],
      }
    )
    return { payload, protectedHeader }
  }

  /**
   * Creates a DB key (keys:generate). Without a signing key for the algorithm it
   * signs at once; otherwise it is published now, signs after the lead time, and
   * the current key retires at that moment, in one transaction. A key still
   * waiting to sign is replaced as well, so that it cannot start signing later.
   */
  async generate(alg: SigningAlg, options: { now?: boolean } = {}) {
    const privateKey = generatePrivateKey(alg)
    const publicKey = createPublicKey(privateKey)
    const kid = await thumbprint(publicKey)
    const row = await db.transaction(async (trx) => {
      const now = DateTime.utc()
      const live = await liveKeys(alg, now, trx)
      const signing = live.some((key) => key.activeFrom <= now)
      const activeFrom =
        signing && !options.now ? now.plus({ seconds: KEY_PUBLICATION_LEAD_SECONDS }) : now
      for (const old of live) {
        if (old.retiredAt && old.retiredAt <= activeFrom) continue
        old.retiredAt = activeFrom
        await old.save()
      }
      return OidcSigningKey.create(
        {
          kid,
          alg,
          privateKey: encryption.encrypt(
            privateKey.export({ type: 'pkcs8', format: 'pem' }) as string
          ),
          publicJwk: publicJwk(kid, alg, publicKey) as Record<string, unknown>,
          activeFrom,
          retiredAt: null,
        },
        { client: trx }
      )
    })
    await this.load(true)
    return row
  }

  /**
   * keys:retire: the key retires now; refuses to leave the configured algorithm
   * without a signing key. The keys left keep one schedule: each signs until
   * the next one starts. Retiring the signing key makes its waiting successor
   * sign at once (it has been published since it was generated); retiring a
   * waiting key keeps its predecessor signing.
   */
  async retire(kid: string) {
    const row = await db.transaction(async (trx) => {
      const now = DateTime.utc()
      const key = await OidcSigningKey.query({ client: trx }).where('kid', kid).forUpdate().first()
      if (!key) throw new Error(`no key with kid ${kid}`)
      if (key.retiredAt && key.retiredAt <= now) throw new Error(`key ${kid} is already retired`)
      const live = await liveKeys(key.alg, now, trx)
      const others = live.filter((other) => other.id !== key.id)
      const signsNow = key.activeFrom <= now
      if (signsNow && !others.length && key.alg === this.config.signingAlg) {
        throw new Error(
          `key ${kid} is the current ${key.alg} signing key and has no replacement; run keys:generate first`
        )
      }
      key.retiredAt = now
      await key.save()
      if (signsNow && others[0] && others[0].activeFrom > now) others[0].activeFrom = now
      others.forEach((other, index) => (other.retiredAt = others[index + 1]?.activeFrom ?? null))
      for (const other of others) await other.save()
      return key
    })
    await this.load(true)
    return row
  }

  /** Deletes retired keys once every token they signed has expired */
  prune(now: DateTime) {
    const closed = sqlTime(now.minus({ seconds: this.retiredKeyWindowSeconds }))
    return deleteInBatches('oidc_signing_keys', (query) => query.where('retired_at', '<', closed))
  }
}

/** Keys of an algorithm that sign now or will: not retired, or retiring later; oldest first */
function liveKeys(alg: SigningAlg, now: DateTime, trx: TransactionClientContract) {
  return OidcSigningKey.query({ client: trx })
    .where('alg', alg)
    .where((q) => q.whereNull('retired_at').orWhere('retired_at', '>', sqlTime(now)))
    .orderBy('active_from')
    .orderBy('id')
    .forUpdate()
}
