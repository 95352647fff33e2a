/**
 * Signing keys (tokens.md §2, data.md §8): the key that signs, the JWKS, and
 * verification of our own JWTs. Keys are imported once per process and reloaded
 * from the database at most every 60 s (or at once after a local change), never
 * per request. With IDP_OIDC_PRIVATE_KEY set, that key alone is used.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto'
import { DateTime } from 'luxon'
import { SignJWT, calculateJwkThumbprint, jwtVerify, type JWK, type JWTPayload } from 'jose'
import db from '@adonisjs/lucid/services/db'
import encryption from '@adonisjs/core/services/encryption'
import OidcSigningKey from '#models/oidc_signing_key'
import { sqlTime } from '#models/columns'
import type { OidcConfig, SigningAlg } from '#config/oidc'

/** A new key is published this long before it signs: the JWKS cache lifetime */
export const KEY_PUBLICATION_LEAD_SECONDS = 300
const RELOAD_INTERVAL_MS = 60_000

type LoadedKey = { kid: string; alg: SigningAlg; privateKey: KeyObject; publicKey: KeyObject; jwk: JWK }

export class NoSigningKeyError extends Error {
  code = 'E_INVALID_SETTING'
  constructor(alg: SigningAlg) {
    super(`IDP_OIDC_SIGNING_ALG: no ${alg} signing key; run \`node ace keys:generate --alg ${alg}\``)
  }
}

/** JWKS member order of endpoints.md §2 */
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

function algOf(key: KeyObject): SigningAlg {
  if (key.asymmetricKeyType === 'rsa') return 'RS256'
  if (key.asymmetricKeyType === 'ec') return 'ES256'
  return 'EdDSA'
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

  /** How long a retired key stays published (tokens.md §2) */
  get retiredKeyWindowSeconds() {
    const accessTokenLifetime = this.config.accessTokenFormat === 'jwt' ? this.config.accessTokenExpiresIn : 0
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
      const alg = algOf(this.config.privateKey)
      const kid = await thumbprint(publicKey)
      const key = { kid, alg, privateKey: this.config.privateKey, publicKey, jwk: publicJwk(kid, alg, publicKey) }
      signing.set(alg, key)
      ordered.push(key)
    } else {
      const now = DateTime.utc()
      const rows = await OidcSigningKey.query()
        .where((q) => q.whereNull('retired_at').orWhere('retired_at', '>', sqlTime(now.minus({ seconds: this.retiredKeyWindowSeconds }))))
        .orderBy('active_from', 'desc')
      const pending: LoadedKey[] = []
      const retired: LoadedKey[] = []
      for (const row of rows) {
        const pem = encryption.decrypt<string>(row.privateKey)
        if (!pem) throw new Error(`signing key ${row.kid} cannot be decrypted with APP_KEY`)
        const privateKey = createPrivateKey(pem)
        const publicKey = createPublicKey(privateKey)
        const key = { kid: row.kid, alg: row.alg, privateKey, publicKey, jwk: publicJwk(row.kid, row.alg, publicKey) }
        byKid.set(key.kid, key)
        const signsNow = row.activeFrom <= now && (!row.retiredAt || row.retiredAt > now)
        if (signsNow && !signing.has(row.alg)) signing.set(row.alg, key)
        else if (row.activeFrom > now) pending.push(key)
        else retired.push(key)
      }
      const preferred = signing.get(this.config.signingAlg)
      ordered.push(...(preferred ? [preferred] : []))
      ordered.push(...[...signing.values()].filter((key) => key !== preferred), ...pending, ...retired)
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

  async jwks(): Promise<{ keys: JWK[] }> {
    await this.load()
    return { keys: this.#jwks }
  }

  /** Signs claims as a JWT with header {alg, kid, typ} */
  async sign(claims: JWTPayload, typ: string): Promise<string> {
    const key = await this.signingKey()
    return new SignJWT(claims).setProtectedHeader({ alg: key.alg, kid: key.kid, typ }).sign(key.privateKey)
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
      { issuer: options.issuer, ...(options.checkExpiry ? {} : { currentDate: new Date(0) }), algorithms: ['RS256', 'ES256', 'EdDSA'] }
    )
    return { payload, protectedHeader }
  }

  /**
   * Creates a DB key (keys:generate). Without a signing key for the algorithm it
   * signs at once; otherwise it is published now, signs after the lead time, and
   * the current key retires at that moment, in one transaction.
   */
  async generate(alg: SigningAlg, options: { now?: boolean } = {}) {
    const privateKey = generatePrivateKey(alg)
    const publicKey = createPublicKey(privateKey)
    const kid = await thumbprint(publicKey)
    const row = await db.transaction(async (trx) => {
      const now = DateTime.utc()
      const current = await OidcSigningKey.query({ client: trx })
        .where('alg', alg)
        .where('active_from', '<=', sqlTime(now))
        .where((q) => q.whereNull('retired_at').orWhere('retired_at', '>', sqlTime(now)))
        .forUpdate()
      const activeFrom = current.length && !options.now ? now.plus({ seconds: KEY_PUBLICATION_LEAD_SECONDS }) : now
      for (const old of current) {
        old.useTransaction(trx)
        old.retiredAt = activeFrom
        await old.save()
      }
      return OidcSigningKey.create(
        {
          kid,
          alg,
          privateKey: encryption.encrypt(privateKey.export({ type: 'pkcs8', format: 'pem' }) as string),
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

  /** keys:retire; refuses to leave an algorithm in use without a signing key */
  async retire(kid: string) {
    const row = await OidcSigningKey.findBy('kid', kid)
    if (!row) throw new Error(`no key with kid ${kid}`)
    const now = DateTime.utc()
    if (row.retiredAt && row.retiredAt <= now) throw new Error(`key ${kid} is already retired`)
    const signsNow = row.activeFrom <= now
    if (signsNow) {
      const successor = await OidcSigningKey.query().where('alg', row.alg).where('active_from', '>', sqlTime(row.activeFrom)).whereNot('id', row.id).first()
      if (!successor && row.alg === this.config.signingAlg) {
        throw new Error(`key ${kid} is the current ${row.alg} signing key and has no replacement; run keys:generate first`)
      }
    }
    row.retiredAt = now
    await row.save()
    await this.load(true)
    return row
  }
}
