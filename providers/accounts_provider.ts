import type { ApplicationService } from '@adonisjs/core/types'

/**
 * The account side's process-wide parts: the outbox delivery runs in every
 * HTTP server process (the test runner starts it itself, once its database is
 * migrated: tests/bootstrap.ts), and deprecated settings are named once in
 * the log.
 */
export default class AccountsProvider {
  constructor(protected app: ApplicationService) {}

  #delivers() {
    return this.app.getEnvironment() === 'web'
  }

  async ready() {
    const { default: logger } = await import('@adonisjs/core/services/logger')
    const { default: accountsConfig } = await import('#config/accounts')
    for (const sentence of accountsConfig.deprecations) logger.warn(`deprecated: ${sentence}`)
    if (!this.#delivers()) return
    const { default: outboxDelivery } = await import('#services/accounts/mail/delivery')
    outboxDelivery.start()
  }

  async shutdown() {
    if (!['web', 'test'].includes(this.app.getEnvironment())) return
    const { default: outboxDelivery } = await import('#services/accounts/mail/delivery')
    await outboxDelivery.stop()
  }
}
