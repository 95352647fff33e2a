import type { HttpContext } from '@adonisjs/core/http'
import { checkReadiness } from '#services/observability/health'

/**
 * Probes for load balancers and orchestrators (docs/observability.md). Public,
 * so the answer names the checks and their status only: why a check failed
 * (addresses, driver messages) goes to the log.
 */
export default class HealthController {
  /** GET /health/live: the process answers */
  async live({ response }: HttpContext) {
    return response.json({ status: 'ok' })
  }

  /** GET /health/ready: the database answers, a key signs, Redis answers when used */
  async ready({ response, logger }: HttpContext) {
    const { ready, checks } = await checkReadiness()
    for (const check of checks.filter(({ status }) => status === 'error')) {
      logger.warn({ check: check.name, reason: check.message }, 'not ready')
    }
    return response.status(ready ? 200 : 503).json({
      status: ready ? 'ok' : 'error',
      checks: checks.map(({ name, status }) => ({ name, status })),
    })
  }
}
