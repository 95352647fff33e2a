/**
 * IDP_OIDC_RATE_LIMITS and ACCOUNT_RATE_LIMITS over the shared limiter store, so that
 * every app process counts together. Each rule of an action has its own
 * counter. An exceeded limit throws TooManyRequests, which JSON endpoints send
 * as is and pages render as their own 429.
 */
import { createHash } from 'node:crypto'
import limiter from '@adonisjs/limiter/services/main'
import { errors as limiterErrors } from '@adonisjs/limiter'
import oidcConfig from '#config/oidc'
import accountsConfig from '#config/accounts'
import { rateLimitHits } from '#services/observability/metrics'
import { TooManyRequests } from '#services/oidc/protocol/errors'
import { recordEvent } from '#services/audit/record_event'
import type { RateLimitRule } from '#start/settings'
import type { AccountRateLimitAction } from '#start/account_settings'

/** An OIDC action (IDP_OIDC_RATE_LIMITS) or an account action (ACCOUNT_RATE_LIMITS) */
type RateLimitAction = keyof typeof oidcConfig.rateLimits | AccountRateLimitAction

function rulesOf(action: RateLimitAction): RateLimitRule[] {
  const rules =
    action in accountsConfig.rateLimits
      ? accountsConfig.rateLimits[action as AccountRateLimitAction]
      : oidcConfig.rateLimits[action as keyof typeof oidcConfig.rateLimits]
  return rules ?? []
}

/**
 * What each `per` of a rule means for one request: the IP, the user id, the
 * client_id, or the action's key (docs/settings.md#rate-limits)
 */
export type RateSubject = {
  ip: string
  user?: string | number | null
  key?: string | null
  client?: string | null
}

/**
 * The stored key of a counter: the action and rule, then a digest of the
 * counted value. The digest has one length whatever was sent (a 300-character
 * client_id fits the store's key column) and keeps what people type into the
 * login field (sometimes a password) out of the store.
 */
function counterKey(action: RateLimitAction, rule: RateLimitRule, value: string | number) {
  const digest = createHash('sha256').update(String(value)).digest('base64url')
  return `${action}:${rule.amount}/${rule.durationSeconds}:${rule.per}:${digest}`
}

function counters(action: RateLimitAction, subject: RateSubject) {
  return rulesOf(action).flatMap((rule: RateLimitRule) => {
    const value = subject[rule.per]
    if (value === null || value === undefined || value === '') return []
    return [
      {
        counter: limiter.use({ requests: rule.amount, duration: rule.durationSeconds }),
        key: counterKey(action, rule, value),
        rule,
      },
    ]
  })
}

/**
 * A refusal: counted, and recorded with the rule that refused (never the
 * counted value, which may be what someone typed into a login field)
 */
async function tripped(action: RateLimitAction, rule: RateLimitRule, subject: RateSubject) {
  rateLimitHits.inc({ action })
  await recordEvent('rate_limit.tripped', {
    userId: typeof subject.user === 'number' ? subject.user : null,
    clientId: subject.client ?? null,
    ip: subject.ip,
    data: { action, rule: `${rule.amount}/${rule.durationSeconds}s/${rule.per}` },
  })
}

/** Counts one event against every rule of the action; throws when one is exceeded */
export async function hitRateLimit(action: RateLimitAction, subject: RateSubject) {
  for (const { counter, key, rule } of counters(action, subject)) {
    try {
      await counter.consume(key)
    } catch (error) {
      if (error instanceof limiterErrors.E_TOO_MANY_REQUESTS) {
        await tripped(action, rule, subject)
        throw new TooManyRequests(error.response.availableIn)
      }
      throw error
    }
  }
}

/** Gives back an event counted by hitRateLimit, e.g. an attempt counted before it was known to fail */
export async function refundRateLimit(action: RateLimitAction, subject: RateSubject) {
  for (const { counter, key } of counters(action, subject)) await counter.decrement(key)
}

/** Throws when a rule of the action is already used up, without counting */
export async function assertRateLimitLeft(action: RateLimitAction, subject: RateSubject) {
  for (const { counter, key, rule } of counters(action, subject)) {
    const state = await counter.get(key)
    if (state && state.remaining <= 0 && state.availableIn > 0) {
      await tripped(action, rule, subject)
      throw new TooManyRequests(state.availableIn)
    }
  }
}
