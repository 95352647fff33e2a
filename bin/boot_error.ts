import { prettyPrintError } from '@adonisjs/core'

/**
 * A bad setting stops the boot with one line naming it (settings.md); anything
 * else is printed in full, since it is a bug to investigate.
 */
export async function reportBootError(error: unknown) {
  process.exitCode = 1
  if (error instanceof Error && 'code' in error && error.code === 'E_INVALID_SETTING') {
    console.error(`error: ${error.message}`)
    return
  }
  await prettyPrintError(error)
}
