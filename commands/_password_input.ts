import { flags } from '@adonisjs/core/ace'
import { AdminCommand, AdminInputError } from './_admin_command.js'

/**
 * What user:create and user:update share: where a new password comes from.
 * `--password-stdin` reads all of stdin (less one final line break), the
 * prompt hides what is typed and asks twice; `--password` stays for scripts
 * but shows the password to anyone who lists the machine's processes.
 */
export abstract class PasswordCommand extends AdminCommand {
  @flags.string({
    description:
      'Password (visible to other users of the machine in `ps`: prefer the prompt or --password-stdin)',
  })
  declare password?: string

  @flags.boolean({ description: 'Read the password from stdin (one line, or all of it)' })
  declare passwordStdin?: boolean

  /** The password given, asked for when `ask`, or undefined */
  protected async newPassword(ask: boolean): Promise<string | undefined> {
    if (this.password !== undefined && this.passwordStdin)
      throw new AdminInputError('give --password or --password-stdin, not both')
    if (this.password !== undefined) return this.password
    if (this.passwordStdin) return readStdin()
    return ask ? this.promptPassword() : undefined
  }

  private async promptPassword() {
    if (!process.stdin.isTTY)
      throw new AdminInputError('no terminal to ask for the password on: use --password-stdin')
    const password = await this.prompt.secure('Password')
    if ((await this.prompt.secure('Password (again)')) !== password)
      throw new AdminInputError('the two passwords differ')
    return password
  }
}

async function readStdin() {
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '')
}
