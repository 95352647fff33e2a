import env from '#start/env'
import app from '@adonisjs/core/services/app'
import { defineConfig, stores } from '@adonisjs/session'
import { InvalidSettingError, seconds } from '#start/settings'

/**
 * How long a provider session lives, enforced by the server on its
 * user_sessions row (docs/sessions.md), whatever the cookie says:
 *  - SESSION_COOKIE_AGE (Django's name): seconds from the sign-in, default two weeks;
 *  - SESSION_IDLE_TIMEOUT (ours): seconds without a request, default 2 hours; 0 = none.
 */
export const sessionLifetimes = {
  absolute: seconds(process.env, 'SESSION_COOKIE_AGE', 1209600),
  idle: seconds(process.env, 'SESSION_IDLE_TIMEOUT', 7200),
}
if (sessionLifetimes.absolute === 0)
  throw new InvalidSettingError('SESSION_COOKIE_AGE', 'must be at least 1 second')

/*
 * The encrypted cookie store is the default: every app process reads it, and
 * it costs no write per request (the database store would touch its row on
 * every page). Revocation does not depend on the store: every session is
 * bound to its user_sessions row. Redis is the alternative for deployments
 * that keep session data off the client.
 */
const sessionConfig = defineConfig({
  enabled: true,
  cookieName: 'oidc-session',
  clearWithBrowser: false,
  /* the cookie outlives neither limit; each request moves it on, as the idle limit does */
  age: Math.min(sessionLifetimes.idle || Infinity, sessionLifetimes.absolute),
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
