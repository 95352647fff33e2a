import { prettyPrintError } from '@adonisjs/core'

/**
 * A bad setting stops the boot with one line naming it (settings.md): our
 * `E_INVALID_SETTING` errors, and the framework's env validation (whose
 * messages each name their variable). Returns null for anything else, which
 * is a bug to investigate and is printed in full.
 */
export function settingErrorLine(error: unknown): string | null {
  const { code, message, help } = (error ?? {}) as {
    code?: unknown
    message?: unknown
    help?: unknown
  }
  if (code === 'E_INVALID_SETTING') return `error: ${message}`
  if (code === 'E_INVALID_ENV_VARIABLES' && typeof help === 'string') {
    const problems = help
      .split('\n')
      .map((line) => line.replace(/^-\s*/, '').trim())
      .filter(Boolean)
    return `error: ${problems.join('; ')}`
  }
  return null
}

/**
 * For the entrypoints' boot: prints the error, then exits, since a failed
 * boot may have opened connections (database, Redis, the HTTP server) that
 * would keep the process alive.
 */
export async function reportBootError(error: unknown) {
  const line = settingErrorLine(error)
  if (line) console.error(line)
  else await prettyPrintError(error)
  process.exit(1)
}
