/**
 * Readiness: the framework's health checks (@adonisjs/core/health) for what
 * a request needs: the database (Lucid's DbCheck), a key to sign with, and
 * Redis when the sessions or the rate limits live there.
 */
import { BaseCheck, HealthChecks, Result } from '@adonisjs/core/health'
import { DbCheck } from '@adonisjs/lucid/database'
import db from '@adonisjs/lucid/services/db'
import env from '#start/env'
import keyStore from '#services/oidc/keys/key_store'

/** A key signs now for the configured algorithm (IDP_OIDC_SIGNING_ALG) */
class SigningKeyCheck extends BaseCheck {
  name = 'signing key'

  async run() {
    try {
      const key = await keyStore.signingKey()
      return Result.ok(`${key.alg} key ${key.kid} signs`)
    } catch (error) {
      return Result.failed(error as Error)
    }
  }
}

async function readinessChecks() {
  const checks: BaseCheck[] = [new DbCheck(db.connection()).as('database'), new SigningKeyCheck()]
  if (env.get('SESSION_DRIVER') === 'redis' || env.get('LIMITER_STORE') === 'redis') {
    const { default: redis } = await import('@adonisjs/redis/services/main')
    const { RedisCheck } = await import('@adonisjs/redis')
    const connection = redis.connection('main')
    /* The connection is lazy (config/redis.ts): a check on one never opened would fail */
    class RedisConnectedCheck extends RedisCheck {
      async run() {
        if (connection.status === 'wait') connection.ioConnection.connect().catch(() => {})
        return super.run()
      }
    }
    checks.push(new RedisConnectedCheck(connection).as('redis'))
  }
  return new HealthChecks().register(checks)
}

let readiness: Promise<HealthChecks> | null = null

export type ReadinessReport = {
  ready: boolean
  checks: { name: string; status: 'ok' | 'warning' | 'error'; message: string }[]
}

export async function checkReadiness(): Promise<ReadinessReport> {
  readiness ??= readinessChecks()
  const checks = await readiness
  const report = await checks.run()
  return {
    ready: report.isHealthy,
    checks: report.checks.map(({ name, status, message }) => ({ name, status, message })),
  }
}
