import { args, flags } from '@adonisjs/core/ace'
import oidcConfig from '#config/oidc'
import { sendResetByOperator, type ResetSent } from '#services/accounts/password_reset/send_reset'
import { AdminCommand, AdminInputError } from './_admin_command.js'
import { asAdminInput } from './_input_errors.js'

export default class UserSendReset extends AdminCommand {
  static commandName = 'user:send-reset'
  static description =
    'Mail a user (found by email address or username) a password reset link, as the reset page does'

  @args.string({ description: 'Email address or username' })
  declare login: string

  @flags.string({ description: 'The provider origin the link points to (default: APP_URL)' })
  declare url?: string

  protected async execute() {
    const origin = this.url ?? oidcConfig.appUrl
    if (!origin || !URL.canParse(origin) || !/^https?:$/.test(new URL(origin).protocol))
      throw new AdminInputError('give --url https://id.example.com, or set APP_URL')
    return asAdminInput(sendResetByOperator(this.login, new URL(origin).origin))
  }

  protected describe(sent: ResetSent) {
    return `Sent a password reset link to ${sent.email} (user ${sent.user_id})`
  }
}
