/*
 * One access-log line and the request metrics for every answered request,
 * from the framework's `http:request_completed` event (emitted once the
 * response has been sent, whatever middleware or error handling produced it).
 * The line holds the path without its query string, never a body: on the
 * OAuth endpoints those carry codes, tokens and secrets.
 */
import emitter from '@adonisjs/core/services/emitter'
import observabilityConfig from '#config/observability'
import { clientIp } from '#http/client_ip'
import { collectProcessMetrics, recordRequest } from '#services/observability/metrics'

const metricsOn = observabilityConfig.metricsToken !== null
if (metricsOn) collectProcessMetrics()

emitter.on('http:request_completed', ({ ctx, duration }) => {
  const seconds = duration[0] + duration[1] / 1e9
  const method = ctx.request.method()
  const route = ctx.route?.pattern ?? null
  const status = ctx.response.response.statusCode
  if (metricsOn) recordRequest({ method, route: route ?? 'unmatched', status, seconds })
  if (!ctx.logger.isLevelEnabled('info')) return
  const path = ctx.request.url()
  const durationMs = Math.round(seconds * 10_000) / 10
  ctx.logger.info(
    { http: { method, route, path, status, duration_ms: durationMs, ip: clientIp(ctx.request) } },
    `${method} ${path} ${status} ${durationMs}ms`
  )
})
