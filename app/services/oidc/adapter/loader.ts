/**
 * Loads the adapter class named by IDP_OIDC_ADAPTER once at boot (a bad module
 * stops the boot) and makes one instance per request (docs/adapter.md#methods).
 */
import type { HttpContext } from '@adonisjs/core/http'
import { DefaultOidcAdapter, type OidcAdapter } from '#services/oidc/adapter/adapter'
import { InvalidSettingError } from '#start/settings'

let AdapterClass: typeof DefaultOidcAdapter = DefaultOidcAdapter

export async function loadAdapter(specifier: string) {
  let loaded: unknown
  try {
    const module = await import(specifier)
    loaded = module.default
  } catch (error) {
    throw new InvalidSettingError(
      'IDP_OIDC_ADAPTER',
      `cannot load "${specifier}": ${(error as Error).message.split('\n')[0]}`
    )
  }
  if (
    typeof loaded !== 'function' ||
    !(loaded === DefaultOidcAdapter || loaded.prototype instanceof DefaultOidcAdapter)
  ) {
    throw new InvalidSettingError(
      'IDP_OIDC_ADAPTER',
      `the default export of "${specifier}" does not extend DefaultOidcAdapter`
    )
  }
  AdapterClass = loaded as typeof DefaultOidcAdapter
}

/** A fresh adapter; ace commands pass null */
export function makeAdapter(ctx: HttpContext | null): OidcAdapter {
  return new AdapterClass(ctx)
}
