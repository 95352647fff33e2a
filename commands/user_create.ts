import { flags } from '@adonisjs/core/ace'
import { createUser } from '#services/accounts/users'
import { AdminInputError } from './_admin_command.js'
import { PasswordCommand } from './_password_input.js'
import { describeUser, userJson, type UserJson } from './_user_json.js'
import { asAdminInput } from './_input_errors.js'

export default class UserCreate extends PasswordCommand {
  static commandName = 'user:create'
  static description =
    'Create a user whose email address is primary (and verified unless --unverified); asks for the password unless given'

  @flags.string({ description: 'Primary email address (required without --username)' })
  declare email?: string

  @flags.string({
    description:
      'Stored hash to keep instead of --password: a Django hash from allauth, or ! for none',
  })
  declare passwordHash?: string

  @flags.number({ description: 'User id to keep (its sub), for a user brought over from allauth' })
  declare id?: number

  @flags.string({ description: 'Username, also usable to sign in' })
  declare username?: string

  @flags.string({ description: 'First name', allowEmptyValue: true })
  declare firstName?: string

  @flags.string({ description: 'Last name', allowEmptyValue: true })
  declare lastName?: string

  @flags.boolean({ description: 'The email address is verified (the default)' })
  declare verified?: boolean

  @flags.boolean({
    description:
      'Leave the email address unverified: the person confirms it by mail (at sign-in when ACCOUNT_EMAIL_VERIFICATION=mandatory)',
  })
  declare unverified?: boolean

  @flags.boolean({ description: 'Create the user unable to sign in' })
  declare inactive?: boolean

  @flags.boolean({ description: 'Mark the user staff' })
  declare staff?: boolean

  protected async execute() {
    if (this.verified && this.unverified)
      throw new AdminInputError('--verified and --unverified exclude each other')
    if (this.passwordHash !== undefined && (this.password !== undefined || this.passwordStdin))
      throw new AdminInputError('give a password or a password hash, not both')
    const password = this.passwordHash === undefined ? await this.newPassword(true) : undefined
    const user = await asAdminInput(
      createUser({
        email: this.email,
        password,
        passwordHash: this.passwordHash,
        id: this.id,
        username: this.username,
        firstName: this.firstName,
        lastName: this.lastName,
        verified: !this.unverified,
        isActive: !this.inactive,
        isStaff: this.staff,
      })
    )
    await this.audit('admin.user_created', {
      userId: user.id,
      data: {
        password:
          this.password !== undefined ? 'set' : this.passwordHash !== undefined ? 'hash' : 'none',
        is_active: user.isActive,
        is_staff: user.isStaff,
      },
    })
    return userJson(user)
  }

  protected describe(user: UserJson) {
    return `Created ${describeUser(user)}`
  }
}
