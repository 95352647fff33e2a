import env from '#start/env'
import app from '@adonisjs/core/services/app'
import { defineConfig, stores } from '@adonisjs/session'

/*
 * The encrypted cookie store is the default: every app process can read it,
 * so no session state lives in one process (data.md §10). Redis is the
 * alternative for deployments that prefer server-side sessions.
 */
const sessionConfig = defineConfig({
  enabled: true,
  cookieName: 'oidc-session',
  clearWithBrowser: false,
  age: '2h',
  cookie: {
    path: '/',
    httpOnly: true,
    secure: app.inProduction,
    sameSite: 'lax',
  },
  store: env.get('SESSION_DRIVER'),
  stores: {
    cookie: stores.cookie(),
    redis: stores.redis({ connection: 'main' }),
  },
})

export default sessionConfig
