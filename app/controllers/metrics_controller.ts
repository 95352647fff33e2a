import { createHash, timingSafeEqual } from 'node:crypto'
import type { HttpContext } from '@adonisjs/core/http'
import observabilityConfig from '#config/observability'
import { bearerToken } from '#services/oidc/protocol/bearer'
import { bearerSource } from '#http/request_parts'
import { registry } from '#services/observability/metrics'

const digest = (value: string) => createHash('sha256').update(value).digest()

/** GET /metrics, registered only with METRICS_TOKEN: Prometheus text, for that bearer token alone */
export default class MetricsController {
  async show(ctx: HttpContext) {
    const expected = observabilityConfig.metricsToken!
    const given = bearerToken(bearerSource(ctx.request), false)
    /* Digests of equal length, compared in constant time */
    if (!given || !timingSafeEqual(digest(given), digest(expected))) {
      return ctx.response.status(401).header('WWW-Authenticate', 'Bearer realm="metrics"').send('')
    }
    ctx.response.header('Content-Type', registry.contentType)
    return ctx.response.send(await registry.metrics())
  }
}
