/**
 * Requests from many client addresses for the rate-limit tests: the test
 * server believes X-Forwarded-For (one trusted proxy), and each call of
 * `address()` is an address of its own, so that tests never share a counter.
 */
import { randomInt } from 'node:crypto'
import { rateLimits } from '#start/settings'
import { useSettings } from '#tests/helpers/tokens'

export const address = () => `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`

/** For the rest of one test: forwarded addresses count, and the limits are the defaults merged with `limits` */
export function fromManySources(cleanup: (handler: () => void) => void, limits?: object) {
  useSettings(cleanup, {
    trustedProxyCount: 1,
    rateLimits: rateLimits(
      limits ? { IDP_OIDC_RATE_LIMITS: JSON.stringify(limits) } : {},
      'IDP_OIDC_RATE_LIMITS'
    ),
  })
}
