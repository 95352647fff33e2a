import env from '#start/env'

/*
 * Health, metrics and access logs (docs/observability.md). Health endpoints are
 * always served; /metrics only with a token, so that it is never public by
 * accident.
 */
const observabilityConfig = {
  /** METRICS_TOKEN: the bearer token a scraper sends to GET /metrics; unset = no /metrics */
  metricsToken: env.get('METRICS_TOKEN') ?? null,
}

export default observabilityConfig
