/**
 * The names of the settings this app reads, so that a misspelt one stops the
 * boot instead of being silently ignored (its default would apply). Every
 * parser of start/settings.ts records the name it reads; once every config
 * file has been read, a variable of one of our prefixes that no parser asked
 * for is reported with the closest known name.
 */
import { closest, distance } from 'fastest-levenshtein'

/* The families of variables this app owns: IDP_OIDC_* and ALLAUTH_* (allauth's), ACCOUNT_* (allauth.account's), MFA_* (allauth.mfa's), ADMIN_* (the console's) */
const OWNED_PREFIXES = ['IDP_OIDC_', 'ALLAUTH_', 'ACCOUNT_', 'MFA_', 'ADMIN_']

const known = new Set<string>()

export function recordSettingName(name: string) {
  known.add(name)
}

/** A typo: a few letters apart, relative to the name's length */
const isTypo = (name: string, candidate: string) =>
  distance(name, candidate) <= Math.max(2, Math.floor(name.length / 5))

/** The first variable of an owned prefix that is not a setting, and what to say about it */
export function unknownSetting(
  environment: Record<string, string | undefined>
): { name: string; problem: string } | null {
  for (const name of Object.keys(environment).sort()) {
    if (known.has(name) || !OWNED_PREFIXES.some((prefix) => name.startsWith(prefix))) continue
    const nearest = known.size ? closest(name, [...known]) : null
    return {
      name,
      problem:
        nearest && isTypo(name, nearest)
          ? `not a setting of this app; did you mean ${nearest}?`
          : 'not a setting of this app (README.md, Settings, lists them)',
    }
  }
  return null
}
