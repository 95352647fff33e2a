import { flags } from '@adonisjs/core/ace'
import { createUser } from '#services/accounts/users'
import { AdminCommand } from './_admin_command.js'
import { describeUser, userJson, type UserJson } from './_user_json.js'
import { asAdminInput } from './_input_errors.js'

export default class UserCreate extends AdminCommand {
  static commandName = 'user:create'
  static description = 'Create a user whose email address is primary'

  @flags.string({ description: 'Primary email address', required: true })
  declare email: string

  @flags.string({ description: 'Password', required: true })
  declare password: string

  @flags.string({ description: 'Username, also usable to sign in' })
  declare username?: string

  @flags.string({ description: 'First name', allowEmptyValue: true })
  declare firstName?: string

  @flags.string({ description: 'Last name', allowEmptyValue: true })
  declare lastName?: string

  @flags.boolean({ description: 'Mark the email address verified' })
  declare verified?: boolean

  @flags.boolean({ description: 'Create the user unable to sign in' })
  declare inactive?: boolean

  protected async execute() {
    const user = await asAdminInput(
      createUser({
        email: this.email,
        password: this.password,
        username: this.username,
        firstName: this.firstName,
        lastName: this.lastName,
        verified: this.verified,
        isActive: !this.inactive,
      })
    )
    return userJson(user)
  }

  protected describe(user: UserJson) {
    return `Created ${describeUser(user)}`
  }
}
