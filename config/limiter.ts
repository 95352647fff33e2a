import env from '#start/env'
import { defineConfig, stores } from '@adonisjs/limiter'

/*
 * The shared store behind IDP_OIDC_RATE_LIMITS: the database by default,
 * Redis when configured, memory only in tests.
 */
const limiterConfig = defineConfig({
  default: env.get('LIMITER_STORE'),
  stores: {
    database: stores.database({ tableName: 'rate_limits' }),
    redis: stores.redis({ connectionName: 'main' }),
    memory: stores.memory({}),
  },
})

export default limiterConfig

declare module '@adonisjs/limiter/types' {
  export interface LimitersList extends InferLimiters<typeof limiterConfig> {}
}
