/**
 * Prometheus metrics of this process (prom-client). Each app process keeps
 * its own counters and Prometheus scrapes every process, as it does for any
 * multi-process service; nothing here is state the app relies on. Labels are
 * bounded: route patterns (never raw URLs), methods, status codes, grant
 * types, rate-limit actions, login failure reasons.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import db from '@adonisjs/lucid/services/db'

export const registry = new Registry()
const registers = [registry]

const httpRequests = new Counter({
  name: 'http_requests_total',
  help: 'HTTP requests answered, by method, route pattern and status',
  labelNames: ['method', 'route', 'status'] as const,
  registers,
})

const httpDuration = new Histogram({
  name: 'http_request_duration_seconds',
  help: 'Time from a request to the end of its response, by method, route pattern and status',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  registers,
})

export const tokensIssued = new Counter({
  name: 'oidc_tokens_issued_total',
  help: 'Responses that issued tokens, by grant type (implicit: tokens from the authorization endpoint)',
  labelNames: ['grant_type'] as const,
  registers,
})

export const loginFailures = new Counter({
  name: 'oidc_login_failures_total',
  help: 'Refused sign-ins, by reason',
  labelNames: ['reason'] as const,
  registers,
})

export const rateLimitHits = new Counter({
  name: 'oidc_rate_limit_hits_total',
  help: 'Requests refused by a rate limit, by action',
  labelNames: ['action'] as const,
  registers,
})

/* Read at scrape time from each connection's pool (tarn, through knex) */
new Gauge({
  name: 'db_pool_connections',
  help: 'Database pool connections, by connection name and state',
  labelNames: ['connection', 'state'] as const,
  registers,
  collect() {
    this.reset()
    for (const [name, { connection }] of db.manager.connections) {
      const pool = connection?.pool
      if (!pool) continue
      this.set({ connection: name, state: 'used' }, pool.numUsed())
      this.set({ connection: name, state: 'free' }, pool.numFree())
      this.set({ connection: name, state: 'pending_acquire' }, pool.numPendingAcquires())
      this.set({ connection: name, state: 'pending_create' }, pool.numPendingCreates())
    }
  },
})

let processMetrics = false

/** CPU, memory, event-loop lag and GC of this process; started with the metrics endpoint only */
export function collectProcessMetrics() {
  if (processMetrics) return
  processMetrics = true
  collectDefaultMetrics({ register: registry })
}

export type CompletedRequest = { method: string; route: string; status: number; seconds: number }

export function recordRequest({ method, route, status, seconds }: CompletedRequest) {
  const labels = { method, route, status: String(status) }
  httpRequests.inc(labels)
  httpDuration.observe(labels, seconds)
}
