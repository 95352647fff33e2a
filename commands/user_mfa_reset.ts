import { args } from '@adonisjs/core/ace'
import { findUser } from '#services/accounts/users'
import { resetMfa } from '#services/mfa/reset'
import { AdminCommand } from './_admin_command.js'
import { asAdminInput } from './_input_errors.js'

type Result = { id: number; removed: Record<string, number> }

export default class UserMfaReset extends AdminCommand {
  static commandName = 'user:mfa-reset'
  static description =
    "Remove a user's second factors (TOTP, recovery codes, security keys); the password alone signs in again"

  @args.string({ description: 'Email address or username' })
  declare login: string

  protected async execute(): Promise<Result> {
    const user = await asAdminInput(findUser(this.login))
    const { removed } = await resetMfa(user.id)
    await this.audit('admin.user_mfa_reset', { userId: user.id, data: { removed } })
    return { id: user.id, removed }
  }

  protected describe(result: Result) {
    const parts = Object.entries(result.removed).map(([type, count]) => `${count} ${type}`)
    return `User ${result.id}: removed ${parts.join(', ')}`
  }
}
