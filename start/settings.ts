/**
 * Parsers for the `IDP_OIDC_*` settings (docs/settings.md). Each reads one
 * environment variable and either returns a typed value or throws
 * `InvalidSettingError`, which the entrypoints print as one line naming the
 * variable. Nothing here runs at request time.
 */
import { createPrivateKey, type KeyObject } from 'node:crypto'
import { recordSettingName, unknownSetting } from '#start/setting_names'

/** The signing algorithms, one per supported key type */
export const SIGNING_ALGS = ['RS256', 'ES256', 'EdDSA'] as const
export type SigningAlg = (typeof SIGNING_ALGS)[number]

/** The algorithm a supported private key signs with: RSA RS256, P-256 ES256, Ed25519 EdDSA */
export function signingAlgOf(key: KeyObject): SigningAlg {
  if (key.asymmetricKeyType === 'rsa') return 'RS256'
  if (key.asymmetricKeyType === 'ec') return 'ES256'
  return 'EdDSA'
}

export class InvalidSettingError extends Error {
  code = 'E_INVALID_SETTING'
  constructor(variable: string, problem: string) {
    super(`${variable}: ${problem}`)
  }
}

type Source = Record<string, string | undefined>

/** Once every config file has read its settings: a misspelt variable stops the boot */
export function assertKnownSettings(source: Source) {
  const unknown = unknownSetting(source)
  if (unknown) throw new InvalidSettingError(unknown.name, unknown.problem)
}

function raw(source: Source, name: string): string | undefined {
  recordSettingName(name)
  const value = source[name]
  return value === undefined || value.trim() === '' ? undefined : value.trim()
}

/** A non-negative integer number of seconds */
export function seconds(source: Source, name: string, fallback: number): number
export function seconds(source: Source, name: string, fallback: null): number | null
export function seconds(source: Source, name: string, fallback: number | null) {
  return wholeNumber(source, name, 'a non-negative whole number of seconds') ?? fallback
}

function wholeNumber(source: Source, name: string, expected: string): number | undefined {
  const value = raw(source, name)
  if (value === undefined) return undefined
  if (!/^\d+$/.test(value))
    throw new InvalidSettingError(name, `expected ${expected}, got "${value}"`)
  return Number(value)
}

export function bool(source: Source, name: string, fallback: boolean): boolean {
  const value = raw(source, name)?.toLowerCase()
  if (value === undefined) return fallback
  if (value === 'true' || value === '1') return true
  if (value === 'false' || value === '0') return false
  throw new InvalidSettingError(name, `expected true, false, 1 or 0, got "${value}"`)
}

export function oneOf<T extends string>(
  source: Source,
  name: string,
  choices: readonly T[],
  fallback: T
): T {
  const value = raw(source, name)
  if (value === undefined) return fallback
  if (!(choices as readonly string[]).includes(value)) {
    throw new InvalidSettingError(name, `expected one of ${choices.join(', ')}, got "${value}"`)
  }
  return value as T
}

export function json(source: Source, name: string): unknown {
  const value = raw(source, name)
  if (value === undefined) return undefined
  try {
    return JSON.parse(value)
  } catch {
    throw new InvalidSettingError(name, 'is not valid JSON')
  }
}

export function optionalString(source: Source, name: string): string | null {
  return raw(source, name) ?? null
}

export function absoluteUrl(source: Source, name: string): string | null {
  const value = raw(source, name)
  if (value === undefined) return null
  if (!URL.canParse(value) || !/^https?:$/.test(new URL(value).protocol)) {
    throw new InvalidSettingError(name, `expected an absolute http(s) URL, got "${value}"`)
  }
  return value
}

/** docs/tokens.md#issuer: APP_URL must be a bare origin; the issuer is it without a trailing slash */
export function issuerOrigin(source: Source, name: string): string | null {
  const value = raw(source, name)
  if (value === undefined) return null
  const url = URL.canParse(value) ? new URL(value) : null
  if (
    !url ||
    !/^https?:$/.test(url.protocol) ||
    url.pathname !== '/' ||
    url.search ||
    url.hash ||
    url.username ||
    url.password
  ) {
    throw new InvalidSettingError(
      name,
      `expected a bare origin such as https://id.example.com, got "${value}"`
    )
  }
  return url.origin
}

/** A PEM may use real newlines or `\n` escapes (docs/settings.md) */
export function privateKey(source: Source, name: string): KeyObject | null {
  const value = raw(source, name)
  if (value === undefined) return null
  try {
    const key = createPrivateKey(value.replace(/\\n/g, '\n'))
    const type = key.asymmetricKeyType
    const curve = key.asymmetricKeyDetails?.namedCurve
    if (type === 'rsa' || type === 'ed25519' || (type === 'ec' && curve === 'prime256v1'))
      return key
    throw new InvalidSettingError(
      name,
      `unsupported key type ${type}${curve ? ` (${curve})` : ''}; use RSA, P-256 or Ed25519`
    )
  } catch (error) {
    if (error instanceof InvalidSettingError) throw error
    throw new InvalidSettingError(
      name,
      'is not a readable unencrypted PKCS#8 or PKCS#1 PEM private key'
    )
  }
}

export type UserCodeFormat = { length: number; numeric: boolean; dashed: boolean }

/** docs/settings.md#user-code-format */
export function userCodeFormat(source: Source, name: string): UserCodeFormat {
  const value = json(source, name) ?? {}
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidSettingError(
      name,
      'expected a JSON object such as {"length":8,"numeric":false,"dashed":true}'
    )
  }
  const { length, numeric = false, dashed = true, ...rest } = value as Record<string, unknown>
  if (Object.keys(rest).length)
    throw new InvalidSettingError(name, `unknown key "${Object.keys(rest)[0]}"`)
  if (typeof numeric !== 'boolean' || typeof dashed !== 'boolean') {
    throw new InvalidSettingError(name, '"numeric" and "dashed" must be booleans')
  }
  const size = length ?? (numeric ? 9 : 8)
  if (typeof size !== 'number' || !Number.isInteger(size) || size < 4 || size > 12) {
    throw new InvalidSettingError(name, '"length" must be a whole number from 4 to 12')
  }
  return { length: size, numeric, dashed }
}

export type RateLimitRule = {
  amount: number
  durationSeconds: number
  per: 'ip' | 'user' | 'key' | 'client'
}
export type RateLimitAction = 'device_user_code' | 'client_auth_failed' | 'token' | 'device_code'
export type RateLimits = Record<RateLimitAction, RateLimitRule[] | null>

const DEFAULT_RATE_LIMITS: Record<RateLimitAction, string | null> = {
  device_user_code: '5/m/ip',
  /* `key`: the client_id and the source address together, so that failures elsewhere never lock a client out */
  client_auth_failed: '20/m/ip,20/m/key,1000/m/client',
  token: null,
  device_code: '10/m/ip,600/m/client',
}
/** Sign-in limits, now ACCOUNT_RATE_LIMITS' (app/services/accounts/settings.ts), still accepted here */
const MOVED_TO_ACCOUNT_RATE_LIMITS = ['login', 'login_failed']
const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86400 } as const

/** allauth's `amount/duration[/per]` syntax, comma-separated (docs/settings.md#rate-limits) */
export function parseRateRules(text: string, name: string): RateLimitRule[] {
  return text.split(',').map((part) => {
    const match = /^\s*(\d+)\/(\d*)([smhd])(?:\/(ip|user|key|client))?\s*$/.exec(part)
    const amount = Number(match?.[1])
    const multiplier = match?.[2] ? Number(match[2]) : 1
    if (!match || amount < 1 || multiplier < 1) {
      throw new InvalidSettingError(
        name,
        `bad rate "${part.trim()}"; expected amount/duration[/per], e.g. 5/m/ip`
      )
    }
    const unit = match[3] as keyof typeof UNIT_SECONDS
    return {
      amount,
      durationSeconds: multiplier * UNIT_SECONDS[unit],
      per: (match[4] ?? 'ip') as RateLimitRule['per'],
    }
  })
}

export function rateLimits(source: Source, name: string): RateLimits {
  const value = json(source, name)
  const merged: Record<string, unknown> = { ...DEFAULT_RATE_LIMITS }
  if (value === false) {
    for (const key of Object.keys(merged)) merged[key] = null
  } else if (value !== undefined) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new InvalidSettingError(name, 'expected a JSON object of action to rate, or false')
    }
    for (const [key, rate] of Object.entries(value)) {
      if (MOVED_TO_ACCOUNT_RATE_LIMITS.includes(key)) continue
      if (!(key in DEFAULT_RATE_LIMITS))
        throw new InvalidSettingError(name, `unknown action "${key}"`)
      merged[key] = rate === false ? null : rate
    }
  }
  const result = {} as RateLimits
  for (const [key, rate] of Object.entries(merged)) {
    if (rate !== null && typeof rate !== 'string') {
      throw new InvalidSettingError(name, `the rate of "${key}" must be a string, false or null`)
    }
    result[key as RateLimitAction] = rate === null ? null : parseRateRules(rate, name)
  }
  return result
}

/** IDP_OIDC_ACCESS_TOKEN_AUDIENCE: unset = the issuer, "" = none, a string or a JSON array */
export function audience(source: Source, name: string): string | string[] | null | undefined {
  recordSettingName(name)
  const value = source[name]
  if (value === undefined) return undefined
  const trimmed = value.trim()
  if (trimmed === '') return null
  if (!trimmed.startsWith('[')) return trimmed
  const list = json(source, name)
  if (
    !Array.isArray(list) ||
    list.length === 0 ||
    list.some((entry) => typeof entry !== 'string' || entry === '')
  ) {
    throw new InvalidSettingError(name, 'expected a string or a non-empty JSON array of strings')
  }
  return list as string[]
}

export function count(source: Source, name: string, fallback: number): number {
  return wholeNumber(source, name, 'a non-negative whole number') ?? fallback
}
