/*
 * Environment variables the framework needs, validated at boot. Each has the
 * default of the README's settings table, so that a production build starts
 * with only APP_KEY and APP_URL given. The OIDC settings (`IDP_OIDC_*`,
 * `ALLAUTH_*`) are parsed by config/oidc.ts, which names the variable in its
 * one-line boot error.
 */
import { Env } from '@adonisjs/core/env'

type Rule<T> = (key: string, value?: string) => T

/** The rule applied to the value, or to `fallback` when the variable is unset or empty */
const withDefault =
  <T>(rule: Rule<T>, fallback: string): Rule<T> =>
  (key, value) =>
    rule(key, value || fallback)

const NODE_ENVS = ['development', 'production', 'test'] as const
/* Read while validating: the .env files are in process.env by then */
const inProduction = () => (process.env.NODE_ENV || 'production') === 'production'

const APP_KEY_MIN_LENGTH = 32
const METRICS_TOKEN_MIN_LENGTH = 16

const env = await Env.create(new URL('../', import.meta.url), {
  NODE_ENV: withDefault(Env.schema.enum(NODE_ENVS), 'production'),
  PORT: withDefault(Env.schema.number(), '3333'),
  /* Development shows stack traces on error pages: it stays on loopback unless told otherwise */
  HOST: (key: string, value?: string) =>
    Env.schema.string({ format: 'host' })(key, value || (inProduction() ? '0.0.0.0' : '127.0.0.1')),
  LOG_LEVEL: withDefault(
    Env.schema.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const),
    'info'
  ),
  APP_KEY: (key: string, value?: string) => {
    const advice = `give a random secret of ${APP_KEY_MIN_LENGTH} characters or more (e.g. the output of \`openssl rand -base64 32\`) and keep it: it encrypts the stored signing keys`
    if (!value) throw new Error(`${key}: not set; ${advice}`)
    if (value.length < APP_KEY_MIN_LENGTH) {
      throw new Error(`${key}: too short (${value.length} characters); ${advice}`)
    }
    return Env.schema.secret()(key, value)
  },
  /* Optional in development, where the issuer follows the request's host as allauth does */
  APP_URL: (key: string, value?: string) => {
    if (!value && inProduction()) {
      throw new Error(
        `${key}: not set; in production give the public origin, which is the issuer (e.g. https://id.example.com)`
      )
    }
    return value || undefined
  },

  SESSION_DRIVER: withDefault(Env.schema.enum(['cookie', 'memory', 'redis'] as const), 'cookie'),

  DB_CONNECTION: Env.schema.enum.optional(['sqlite', 'mysql', 'postgres'] as const),
  SQLITE_PATH: Env.schema.string.optional(),
  DB_HOST: Env.schema.string.optional(),
  DB_PORT: Env.schema.number.optional(),
  DB_USER: Env.schema.string.optional(),
  DB_PASSWORD: Env.schema.string.optional(),
  DB_DATABASE: Env.schema.string.optional(),

  LIMITER_STORE: withDefault(Env.schema.enum(['database', 'redis', 'memory'] as const), 'database'),
  REDIS_HOST: Env.schema.string.optional(),
  REDIS_PORT: Env.schema.number.optional(),

  /* Unset: no /metrics. A guessable token would make the metrics public */
  METRICS_TOKEN: (key: string, value?: string) => {
    if (value && value.length < METRICS_TOKEN_MIN_LENGTH) {
      throw new Error(
        `${key}: too short (${value.length} characters); give a random token of ${METRICS_TOKEN_MIN_LENGTH} characters or more`
      )
    }
    return value || undefined
  },
})

/* The framework reads these from process.env itself (the environment's name, the listen address) */
process.env.NODE_ENV = env.get('NODE_ENV')
process.env.HOST = env.get('HOST')
process.env.PORT = String(env.get('PORT'))

export default env
