import env from '#start/env'
import app from '@adonisjs/core/services/app'
import { defineConfig, destination, targets } from '@adonisjs/core/logger'

/**
 * Development: readable lines (pino-pretty, a development dependency, with
 * colours on a terminal). Tests: JSON lines, written at once so that a test
 * reads what a child process logged. Production: JSON lines on stdout, one
 * object a line, for a log collector.
 */
async function developmentDestination() {
  try {
    const { default: pretty, isColorSupported } = await import('pino-pretty')
    /* An access line's message says it all: its fields (`http`) and the request id stay out */
    return pretty({
      sync: true,
      colorize: isColorSupported,
      ignore: 'pid,hostname,request_id,http',
    })
  } catch {
    /* A production build started with NODE_ENV=development has no pino-pretty */
    return destination(1)
  }
}

const loggerConfig = defineConfig({
  default: 'app',
  loggers: {
    app: {
      enabled: true,
      name: 'adonis-oidc-idp',
      level: env.get('LOG_LEVEL'),
      destination: app.inDev
        ? await developmentDestination()
        : app.inTest
          ? destination({ dest: 1, sync: true })
          : undefined,
      /* docs/security.md#secrets-and-logs: secrets never reach a log */
      redact: {
        paths: [
          'req.headers.authorization',
          'req.headers.cookie',
          'res.headers.location',
          'password',
          'client_secret',
        ],
        censor: '[redacted]',
      },
      transport: {
        targets: [targets.file({ destination: 1 })],
      },
    },
  },
})

export default loggerConfig

declare module '@adonisjs/core/types' {
  export interface LoggersList extends InferLoggers<typeof loggerConfig> {}
}
