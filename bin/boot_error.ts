import { prettyPrintError } from '@adonisjs/core'
import app from '@adonisjs/core/services/app'

/** Errors of ours that carry a message meant for the operator as it is */
const OPERATOR_ERROR_CODES = new Set(['E_INVALID_SETTING', 'E_NO_SIGNING_KEY'])

/** Network failures, named for a person */
const NETWORK_REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  ETIMEDOUT: 'timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
}

const LISTEN_REASONS: Record<string, string> = {
  EADDRINUSE: 'the port is already in use',
  EADDRNOTAVAIL: 'no such address on this machine',
  EACCES: 'permission denied',
}

type FailedCall = {
  code?: unknown
  message?: unknown
  help?: unknown
  syscall?: unknown
  address?: unknown
  port?: unknown
}

/** The first line of an error message, without the driver's stack */
const firstLine = (message: unknown) =>
  String(message ?? '')
    .split('\n')[0]
    .trim()

/** `the mysql database at 127.0.0.1:3306`, from the connection the app is configured with */
function databaseTarget(): string {
  const config = app?.config?.get<{
    connection: string
    connections: Record<string, { connection?: Record<string, unknown> }>
  }>('database')
  const name = config?.connection ?? 'configured'
  const connection = config?.connections[name]?.connection ?? {}
  const where =
    typeof connection.filename === 'string'
      ? connection.filename
      : `${connection.host ?? 'localhost'}:${connection.port ?? 'default port'}`
  return `the ${name} database at ${where}`
}

/**
 * The database could not be reached or refused us: network errors of the
 * driver's connect, the servers' own refusals (MySQL's ER_ACCESS_DENIED_ERROR,
 * PostgreSQL's SQLSTATE classes 08 and 28 and 3D000), SQLite's CANTOPEN, and
 * the pool giving up.
 */
function databaseLine(error: FailedCall, name: string | undefined): string | null {
  const code = typeof error.code === 'string' ? error.code : ''
  const connectCall = error.syscall === 'connect' || error.syscall === 'getaddrinfo'
  const refusal =
    /^ER_(ACCESS_DENIED|DBACCESS_DENIED|BAD_DB|HOST_NOT_PRIVILEGED|CON_COUNT)/.test(code) ||
    /^(08...|28...|3D000)$/.test(code) ||
    code === 'SQLITE_CANTOPEN'
  if (!(connectCall && code in NETWORK_REASONS) && !refusal && name !== 'KnexTimeoutError') {
    return null
  }
  const reason = NETWORK_REASONS[code] ?? firstLine(error.message)
  return `error: cannot use ${databaseTarget()}: ${reason}${code ? ` (${code})` : ''}`
}

/**
 * The one line a boot problem an operator can fix gets, instead of a stack
 * trace: a bad setting (our `E_INVALID_SETTING` errors and the framework's env
 * validation, whose messages each name their variable), a missing signing
 * key, a database that cannot be reached, a port already taken. Returns null
 * for anything else, which is a bug to investigate and is printed in full.
 */
export function bootErrorLine(error: unknown): string | null {
  const failed = (error ?? {}) as FailedCall
  const { code, message, help } = failed
  if (typeof code === 'string' && OPERATOR_ERROR_CODES.has(code)) return `error: ${message}`
  if (code === 'E_INVALID_ENV_VARIABLES' && typeof help === 'string') {
    const problems = help
      .split('\n')
      .map((line) => line.replace(/^-\s*/, '').trim())
      .filter(Boolean)
    return `error: ${problems.join('; ')}`
  }
  if (failed.syscall === 'listen') {
    const reason = LISTEN_REASONS[String(code)] ?? firstLine(message)
    return `error: cannot listen on ${failed.address}:${failed.port}: ${reason} (${code}); see PORT and HOST`
  }
  return databaseLine(failed, (error as Error | null)?.name) ?? unmigratedLine(failed)
}

/** A table the app reads at boot is missing: SQLite's message, MySQL's ER_NO_SUCH_TABLE, PostgreSQL's 42P01 */
function unmigratedLine(error: FailedCall): string | null {
  const missing =
    error.code === 'ER_NO_SUCH_TABLE' ||
    error.code === '42P01' ||
    (error.code === 'SQLITE_ERROR' && /no such table/.test(String(error.message)))
  if (!missing) return null
  return `error: ${databaseTarget()} has no tables yet; run \`node ace migration:run --force\` first`
}

/**
 * For the entrypoints' boot: prints the error, then exits, since a failed
 * boot may have opened connections (database, Redis, the HTTP server) that
 * would keep the process alive.
 */
export async function reportBootError(error: unknown) {
  const line = bootErrorLine(error)
  if (line) console.error(line)
  else await prettyPrintError(error)
  process.exit(1)
}
