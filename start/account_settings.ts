/**
 * Parsers for the account settings (`ACCOUNT_*`, docs/accounts.md), on top of
 * the generic ones of the OIDC settings. Each throws InvalidSettingError,
 * which stops the boot with one line naming the variable.
 */
import { InvalidSettingError, json, parseRateRules, type RateLimitRule } from '#start/settings'
import { recordSettingName } from '#start/setting_names'

type Source = Record<string, string | undefined>

export const LOGIN_METHODS = ['email', 'username'] as const
export type LoginMethod = (typeof LOGIN_METHODS)[number]

/** A comma-separated, non-empty subset of `email,username` */
export function loginMethods(source: Source, name: string): LoginMethod[] {
  recordSettingName(name)
  const value = source[name]?.trim()
  if (!value) return [...LOGIN_METHODS]
  const methods = value.split(',').map((entry) => entry.trim())
  for (const method of methods) {
    if (!(LOGIN_METHODS as readonly string[]).includes(method))
      throw new InvalidSettingError(name, `expected email, username or both, got "${method}"`)
  }
  return LOGIN_METHODS.filter((method) => methods.includes(method))
}

/** A whole number of at least `minimum` */
export function atLeast(source: Source, name: string, minimum: number, fallback: number) {
  recordSettingName(name)
  const value = source[name]?.trim()
  if (!value) return fallback
  if (!/^\d+$/.test(value) || Number(value) < minimum)
    throw new InvalidSettingError(
      name,
      `expected a whole number of at least ${minimum}, got "${value}"`
    )
  return Number(value)
}

/** allauth's ACCOUNT_RATE_LIMITS keys */
export const ACCOUNT_RATE_LIMIT_ACTIONS = [
  'login',
  'login_failed',
  'signup',
  'reset_password',
  'reset_password_from_key',
  'change_password',
  'manage_email',
  'reauthenticate',
  'confirm_email',
  'request_login_code',
] as const
export type AccountRateLimitAction = (typeof ACCOUNT_RATE_LIMIT_ACTIONS)[number]
export type AccountRateLimits = Record<AccountRateLimitAction, RateLimitRule[] | null>

/** allauth's defaults; `confirm_email` depends on whether addresses are verified by code */
function defaultAccountRates(byCode: boolean): Record<AccountRateLimitAction, string | null> {
  return {
    login: '30/m/ip',
    login_failed: '10/m/ip,5/300s/key',
    signup: '20/m/ip',
    reset_password: '20/m/ip,5/m/key',
    reset_password_from_key: '20/m/ip',
    change_password: '5/m/user',
    manage_email: '10/m/user',
    reauthenticate: '10/m/user',
    confirm_email: byCode ? '1/10s/key' : '1/180s/key',
    request_login_code: '20/m/ip,3/m/key',
  }
}

/** The actions that IDP_OIDC_RATE_LIMITS used to configure, read from there for one more release */
export const MOVED_FROM_OIDC_RATE_LIMITS = ['login', 'login_failed'] as const

/** One JSON object of action to rate (or false/null), or false for all; unknown actions are refused */
function rateOverrides(
  source: Source,
  name: string,
  known: readonly string[]
): Record<string, string | null> | false {
  const value = json(source, name)
  if (value === undefined) return {}
  if (value === false) return false
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new InvalidSettingError(name, 'expected a JSON object of action to rate, or false')
  const overrides: Record<string, string | null> = {}
  for (const [key, rate] of Object.entries(value)) {
    if (!known.includes(key)) continue
    if (rate !== null && rate !== false && typeof rate !== 'string')
      throw new InvalidSettingError(name, `the rate of "${key}" must be a string, false or null`)
    overrides[key] = typeof rate === 'string' ? rate : null
  }
  return overrides
}

export type AccountRateLimitSettings = {
  rateLimits: AccountRateLimits
  /** Deprecated settings that were used, one sentence each, for the boot log */
  deprecations: string[]
}

/**
 * ACCOUNT_RATE_LIMITS merged key by key over allauth's defaults. `login` and
 * `login_failed` set in IDP_OIDC_RATE_LIMITS (their home before) still count,
 * below ACCOUNT_RATE_LIMITS.
 */
export function accountRateLimits(
  source: Source,
  name: string,
  legacyName: string,
  byCode: boolean
): AccountRateLimitSettings {
  const own = json(source, name)
  if (own !== undefined && own !== false) {
    if (typeof own !== 'object' || own === null || Array.isArray(own))
      throw new InvalidSettingError(name, 'expected a JSON object of action to rate, or false')
    const unknown = Object.keys(own).find(
      (key) => !(ACCOUNT_RATE_LIMIT_ACTIONS as readonly string[]).includes(key)
    )
    if (unknown) throw new InvalidSettingError(name, `unknown action "${unknown}"`)
  }
  const legacy = rateOverrides(source, legacyName, MOVED_FROM_OIDC_RATE_LIMITS)
  /* a bad rate stops the boot even where ACCOUNT_RATE_LIMITS overrides it */
  for (const rate of Object.values(legacy || {})) if (rate) parseRateRules(rate, legacyName)
  const overrides = rateOverrides(source, name, ACCOUNT_RATE_LIMIT_ACTIONS)
  const deprecations =
    legacy === false || Object.keys(legacy).length
      ? [
          `${legacyName} sets login/login_failed; they moved to ${name} (still read from ${legacyName} in this release)`,
        ]
      : []

  const merged: Record<string, string | null> = defaultAccountRates(byCode)
  if (legacy === false) for (const key of MOVED_FROM_OIDC_RATE_LIMITS) merged[key] = null
  else Object.assign(merged, legacy)
  if (overrides === false) for (const key of Object.keys(merged)) merged[key] = null
  else Object.assign(merged, overrides)

  const rateLimits = {} as AccountRateLimits
  for (const action of ACCOUNT_RATE_LIMIT_ACTIONS) {
    const rate = merged[action]
    const from = action in (overrides || {}) ? name : legacyName
    rateLimits[action] = rate === null ? null : parseRateRules(rate, from)
  }
  return { rateLimits, deprecations }
}
