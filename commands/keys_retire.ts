import { args } from '@adonisjs/core/ace'
import keyStore from '#services/oidc/keys/key_store'
import { AdminCommand, AdminInputError } from './_admin_command.js'
import { describeKey, keyJson } from './_key_json.js'

export default class KeysRetire extends AdminCommand {
  static commandName = 'keys:retire'
  static description = 'Retire a signing key; it stays published until the tokens it signed expire'

  @args.string({ description: 'The key id (after `--` when it starts with "-")' })
  declare kid: string

  protected async execute() {
    try {
      return keyJson(await keyStore.retire(this.kid))
    } catch (error) {
      throw new AdminInputError((error as Error).message)
    }
  }

  protected describe(key: ReturnType<typeof keyJson>) {
    return `Retired ${describeKey(key)}`
  }
}
