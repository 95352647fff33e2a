import logger from '@adonisjs/core/services/logger'

/**
 * The connection pool's log (knex's `log` option). knex logs every failed
 * connection attempt with the driver's stack, then throws the same error to
 * the query that waited for it, where it is reported once: at boot as one
 * line (bin/boot_error.ts), at request time by the exception handler. The
 * duplicate is dropped; knex's other messages go to the app's logger.
 */
export function poolLog() {
  return {
    warn(message: string) {
      if (!message.startsWith('Acquire connection error')) logger.warn(message)
    },
    error: (message: string) => logger.error(message),
    deprecate: (message: string) => logger.info(message),
    debug: (message: string) => logger.debug(message),
  }
}
