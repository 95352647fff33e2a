import { BaseCommand, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'

/** Bad operator input: one line on stderr, exit code 1, nothing written */
export class AdminInputError extends Error {}

/**
 * Base of the admin commands (docs/operations.md#commands): they boot the app, take
 * `--json` to print one JSON value on stdout and nothing else there, and turn
 * bad input into a one-line error with a non-zero exit.
 */
export abstract class AdminCommand extends BaseCommand {
  static options: CommandOptions = { startApp: true }

  @flags.boolean({ description: 'Print one JSON value on stdout' })
  declare json: boolean

  /** Does the work and returns what to print */
  protected abstract execute(): Promise<unknown>

  /** The human-readable form of the result */
  protected abstract describe(result: any): string

  /**
   * Asks the operator to confirm on the terminal unless `force`; goes on only
   * on a yes. Without a terminal (a script, a pipe) only `force` goes on.
   */
  protected async confirmOrForce(question: string, force: boolean) {
    if (force) return
    if (!process.stdin.isTTY)
      throw new AdminInputError('no terminal to confirm on: add --force to go ahead')
    if (!(await this.prompt.confirm(question)))
      throw new AdminInputError('not confirmed; nothing changed')
  }

  async run() {
    try {
      const result = await this.execute()
      this.logger.log(this.json ? JSON.stringify(result) : this.describe(result))
    } catch (error) {
      if (!(error instanceof AdminInputError)) throw error
      this.logger.logError(`error: ${error.message}`)
      this.exitCode = 1
    }
  }
}
