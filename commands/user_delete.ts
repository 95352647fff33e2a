import { args, flags } from '@adonisjs/core/ace'
import { deleteUser, findUser, loadUser } from '#services/accounts/users'
import { makeAdapter } from '#services/oidc/adapter/loader'
import { sendDueNoticesNow } from '#services/oidc/logout/backchannel'
import { AdminCommand } from './_admin_command.js'
import { describeUser, userJson, type UserJson } from './_user_json.js'
import { asAdminInput } from './_input_errors.js'

export default class UserDelete extends AdminCommand {
  static commandName = 'user:delete'
  static description =
    'Delete a user with its addresses, sessions, consents, codes and tokens; its clients get back-channel logout'

  @args.string({ description: 'Email address, username or user id' })
  declare login: string

  @flags.boolean({ description: 'Delete without asking' })
  declare force?: boolean

  protected async execute() {
    const { id } = await asAdminInput(findUser(this.login))
    const shown = userJson(await loadUser(id))
    await this.confirmOrForce(
      `Delete ${describeUser(shown).split('\n')[0]} and everything it holds?`,
      Boolean(this.force)
    )
    await deleteUser(makeAdapter(null), id)
    await sendDueNoticesNow()
    await this.audit('admin.user_deleted', { userId: id, data: { username: shown.username } })
    return shown
  }

  protected describe(user: UserJson) {
    return `Deleted ${describeUser(user)}`
  }
}
