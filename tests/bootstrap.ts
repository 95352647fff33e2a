import { rm } from 'node:fs/promises'
import { assert } from '@japa/assert'
import { apiClient } from '@japa/api-client'
import app from '@adonisjs/core/services/app'
import type { Config } from '@japa/runner/types'
import { spec } from '@japa/runner/reporters'
import { pluginAdonisJS } from '@japa/plugin-adonisjs'
import testUtils from '@adonisjs/core/services/test_utils'
import { createTestDatabase, dropTestDatabase, usesDatabaseFile } from '#tests/helpers/database'
import { plainSummary } from '#tests/helpers/plain_summary'
import { createHttpServer } from '#start/http_server'

/*
 * Each run owns its database (named in bin/test.ts): created and migrated
 * before the tests, dropped after them. No session or auth plugin: tests drive
 * the pages as a browser does, with a cookie jar (tests/helpers/browser.ts).
 */
export const plugins: Config['plugins'] = [assert(), apiClient(), pluginAdonisJS(app)]

export const reporters: Config['reporters'] = {
  activated: ['spec', 'plain-summary'],
  list: [spec(), plainSummary()],
}

export const runnerHooks: Required<Pick<Config, 'setup' | 'teardown'>> = {
  setup: [
    async () => {
      await createTestDatabase()
      await testUtils.db().migrate()
      const { default: keyStore } = await import('#services/oidc/keys/key_store')
      await keyStore.generate('RS256')
      /*
       * Dropped, not rolled back: the rollback's migration lock on MySQL is
       * taken and released on different pooled connections, and failed to
       * release (E_UNABLE_RELEASE_LOCK) after a green run
       */
      return () => dropTestDatabase()
    },
  ],
  teardown: [
    async () => {
      if (!usesDatabaseFile()) return
      /* the database file with its WAL and shared-memory files */
      const file = app.makePath(process.env.SQLITE_PATH!)
      await Promise.all(['', '-wal', '-shm'].map((suffix) => rm(file + suffix, { force: true })))
    },
  ],
}

export const configureSuite: Config['configureSuite'] = (suite) => {
  if (['browser', 'functional'].includes(suite.name)) {
    suite.setup(() => testUtils.httpServer().start(createHttpServer))
    /*
     * Every test starts with no rate-limit counts (the memory store of
     * .env.test): the failed sign-ins of earlier tests, all from 127.0.0.1,
     * must not lock a later one out when the suite runs fast.
     */
    const clearRateLimits = async () => {
      const { default: limiter } = await import('@adonisjs/limiter/services/main')
      await limiter.clear(['memory'])
    }
    suite.onGroup((group) => group.each.setup(clearRateLimits))
    suite.onTest((test) => test.setup(clearRateLimits))
    /* this process serves pages too, so it delivers the outboxes like any app process */
    suite.setup(async () => {
      const { mailSink } = await import('#tests/helpers/mail_sink')
      const { default: outboxDelivery } = await import('#services/accounts/mail/delivery')
      const { backchannelDelivery } = await import('#services/oidc/logout/backchannel')
      await mailSink.start()
      outboxDelivery.start()
      backchannelDelivery.start()
      return async () => {
        await backchannelDelivery.stop()
        await outboxDelivery.stop()
        await mailSink.stop()
      }
    })
  }
  if (suite.name === 'browser') {
    suite.setup(async () => (await import('#tests/helpers/chromium')).startChromium())
  }
}
