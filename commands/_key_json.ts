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

export function describeKey(key: ReturnType<typeof keyJson>) {
  return `${key.alg} key ${key.kid}, signs from ${key.active_from}${key.retired_at ? `, retired at ${key.retired_at}` : ''}`
}
