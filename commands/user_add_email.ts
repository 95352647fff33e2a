import { args, flags } from '@adonisjs/core/ace'
import { addEmail } from '#services/accounts/users'
import { AdminCommand } from './_admin_command.js'
import { describeUser, userJson, type UserJson } from './_user_json.js'
import { asAdminInput } from './_input_errors.js'

export default class UserAddEmail extends AdminCommand {
  static commandName = 'user:add-email'
  static description = 'Add an email address to a user (found by email address, username or id)'

  @args.string({ description: 'Email address, username or user id' })
  declare login: string

  @flags.string({ description: 'The new address', required: true })
  declare email: string

  @flags.boolean({ description: 'Mark it verified' })
  declare verified?: boolean

  @flags.boolean({ description: 'Make it the primary address in place of the current one' })
  declare primary?: boolean

  protected async execute() {
    const user = await asAdminInput(
      addEmail(this.login, { email: this.email, verified: this.verified, primary: this.primary })
    )
    await this.audit('admin.user_email_added', {
      userId: user.id,
      data: { email: this.email, verified: !!this.verified, primary: !!this.primary },
    })
    return userJson(user)
  }

  protected describe(user: UserJson) {
    return `Added ${this.email.trim().toLowerCase()} to ${describeUser(user)}`
  }
}
