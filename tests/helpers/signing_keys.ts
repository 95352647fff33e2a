/**
 * Signing-key tests change shared rows (the run's RS256 key signs for every
 * other test), so each one puts the table back as it found it. Time is moved
 * through luxon's clock, which the key store reads.
 */
import { type DateTime, Settings } from 'luxon'
import OidcSigningKey from '#models/oidc_signing_key'
import oidcConfig, { type SigningAlg } from '#config/oidc'
import keyStore from '#services/oidc/keys/key_store'
import { KeyStore } from '#services/oidc/keys/signing_keys'

/** Snapshot of the keys; the returned function deletes keys added since and restores the others' times */
export async function keepSigningKeys(): Promise<() => Promise<void>> {
  const before = await OidcSigningKey.all()
  return async () => {
    await OidcSigningKey.query()
      .whereNotIn(
        'id',
        before.map((row) => row.id)
      )
      .delete()
    for (const row of before) {
      const current = await OidcSigningKey.find(row.id)
      await current?.merge({ activeFrom: row.activeFrom, retiredAt: row.retiredAt }).save()
    }
    await keyStore.load(true)
  }
}

/** A key store of its own (no cache shared with the server) signing with `alg` */
export function storeFor(alg: SigningAlg) {
  return new KeyStore({ ...oidcConfig, signingAlg: alg })
}

/** Runs `task` with the clock the key store reads `seconds` ahead */
export async function inTheFuture<T>(seconds: number, task: () => Promise<T>): Promise<T> {
  const previous = Settings.now
  Settings.now = () => Date.now() + seconds * 1000
  try {
    return await task()
  } finally {
    Settings.now = previous
  }
}

/** Rows of one algorithm, oldest first */
export function keysOf(alg: SigningAlg) {
  return OidcSigningKey.query().where('alg', alg).orderBy('active_from').orderBy('id')
}

/** Whole seconds between two times (rows keep seconds only) */
export function secondsBetween(from: DateTime, to: DateTime) {
  return Math.round(to.diff(from, 'seconds').seconds)
}
