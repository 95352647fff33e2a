import { args } from '@adonisjs/core/ace'
import { findUser } from '#services/accounts/users'
import { signOutEverywhere } from '#services/accounts/sign_out'
import { makeAdapter } from '#services/oidc/adapter/loader'
import { sendDueNoticesNow } from '#services/oidc/logout/backchannel'
import { AdminCommand } from './_admin_command.js'
import { asAdminInput } from './_input_errors.js'

type SignedOut = { id: number; sessions: number; tokens: number }

export default class UserSignOut extends AdminCommand {
  static commandName = 'user:sign-out'
  static description =
    "End all of a user's sessions and revoke all their tokens; their clients get back-channel logout"

  @args.string({ description: 'Email address, username or user id' })
  declare login: string

  protected async execute(): Promise<SignedOut> {
    const user = await asAdminInput(findUser(this.login))
    const { sessions, tokens } = await signOutEverywhere(makeAdapter(null), user.id)
    await sendDueNoticesNow()
    await this.audit('admin.user_signed_out', { userId: user.id, data: { sessions, tokens } })
    return { id: user.id, sessions, tokens }
  }

  protected describe(result: SignedOut) {
    return `Signed user ${result.id} out: ${result.sessions} session${result.sessions === 1 ? '' : 's'} ended, ${result.tokens} token${result.tokens === 1 ? '' : 's'} revoked`
  }
}
