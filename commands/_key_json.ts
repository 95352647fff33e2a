import { DateTime } from 'luxon'
import type OidcSigningKey from '#models/oidc_signing_key'

/** The keys:* JSON shape (docs/operations.md#commands): kid, alg, active_from, retired_at */
export function keyJson(key: OidcSigningKey) {
  return {
    kid: key.kid,
    alg: key.alg,
    active_from: key.activeFrom.toISO(),
    retired_at: key.retiredAt?.toISO() ?? null,
  }
}

/** A key that signs now retires in the future once its successor is scheduled */
export function describeKey(key: ReturnType<typeof keyJson> & { signs_now?: boolean }) {
  const retiredAt = key.retired_at ? DateTime.fromISO(key.retired_at) : null
  const retirement = !retiredAt
    ? ''
    : retiredAt > DateTime.utc()
      ? `, retires at ${key.retired_at}`
      : `, retired at ${key.retired_at}`
  return `${key.alg} key ${key.kid}, signs from ${key.active_from}${retirement}${key.signs_now ? '  <- signs now' : ''}`
}
