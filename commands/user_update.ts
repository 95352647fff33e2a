import { args, flags } from '@adonisjs/core/ace'
import { updateUser } from '#services/accounts/users'
import { AdminInputError, givenFields } from './_admin_command.js'
import { PasswordCommand } from './_password_input.js'
import { describeUser, userJson, type UserJson } from './_user_json.js'
import { asAdminInput } from './_input_errors.js'

export default class UserUpdate extends PasswordCommand {
  static commandName = 'user:update'
  static description = 'Change a user (found by email address, username or id)'

  @args.string({ description: 'Email address, username or user id' })
  declare login: string

  @flags.boolean({ description: 'Ask for a new password (hidden)' })
  declare askPassword?: boolean

  @flags.string({ description: 'First name', allowEmptyValue: true })
  declare firstName?: string

  @flags.string({ description: 'Last name', allowEmptyValue: true })
  declare lastName?: string

  @flags.boolean({ description: 'Allow the user to sign in' })
  declare active?: boolean

  @flags.boolean({ description: 'Stop the user signing in; their tokens stop working' })
  declare inactive?: boolean

  @flags.boolean({
    description: 'Mark the user staff (--no-staff to unmark)',
    showNegatedVariantInHelp: true,
  })
  declare staff?: boolean

  protected async execute() {
    if (this.active && this.inactive)
      throw new AdminInputError('give --active or --inactive, not both')
    const isActive = this.active ? true : this.inactive ? false : undefined
    const changes = {
      password: await this.newPassword(Boolean(this.askPassword)),
      firstName: this.firstName,
      lastName: this.lastName,
      isActive,
      isStaff: this.staff,
    }
    const user = await asAdminInput(updateUser(this.login, changes))
    await this.audit('admin.user_updated', {
      userId: user.id,
      data: { fields: givenFields(changes) },
    })
    return userJson(user)
  }

  protected describe(user: UserJson) {
    return `Updated ${describeUser(user)}`
  }
}
