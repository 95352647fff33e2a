import env from '#start/env'
import * as read from '#start/settings'

/*
 * Health, metrics, access logs and audit events (docs/observability.md).
 * Health endpoints are always served; /metrics only with a token, so that it
 * is never public by accident.
 */
const observabilityConfig = {
  /** METRICS_TOKEN: the bearer token a scraper sends to GET /metrics; unset = no /metrics */
  metricsToken: env.get('METRICS_TOKEN') ?? null,

  /**
   * IDP_OIDC_AUDIT_EVENT_RETENTION: seconds an audit event is kept before
   * tokens:prune deletes it; default 7776000 (90 days), 0 = kept for ever
   */
  auditEventRetention: read.seconds(process.env, 'IDP_OIDC_AUDIT_EVENT_RETENTION', 7_776_000),
}

export default observabilityConfig
