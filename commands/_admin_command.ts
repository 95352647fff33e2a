import { userInfo } from 'node:os'
import { BaseCommand, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import { destination } from '@adonisjs/core/logger'
import logger from '@adonisjs/core/services/logger'
import env from '#start/env'
import type { AuditEventType } from '#services/audit/event_types'
import { recordEvent, type AuditFields } from '#services/audit/record_event'

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
   * Records an admin change as an audit event (docs/observability.md), with
   * the operating-system user who ran the command as its actor. Its log line
   * goes to stderr: stdout carries the command's result alone.
   */
  protected async audit(type: AuditEventType, fields: Omit<AuditFields, 'actor' | 'ip'> = {}) {
    const stderr = logger.create({
      enabled: true,
      name: 'adonis-oidc-idp',
      level: env.get('LOG_LEVEL'),
      destination: destination({ dest: 2, sync: true }),
    })
    await recordEvent(type, { ...fields, actor: commandActor() }, { logger: stderr })
  }

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

/** `ace:<user>`, or `ace` where the system has no name for the user */
function commandActor() {
  try {
    return `ace:${userInfo().username}`
  } catch {
    return 'ace'
  }
}

/** The names of the options an operator gave, as audit details: which fields changed, never their values */
export function givenFields(fields: Record<string, unknown>) {
  return Object.keys(fields)
    .filter((name) => fields[name] !== undefined)
    .map((name) => name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`))
}
