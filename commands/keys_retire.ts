import { args } from '@adonisjs/core/ace'
import { retireSigningKey } from '#services/oidc/keys/key_management'
import { AdminCommand } from './_admin_command.js'
import { asAdminInput } from './_input_errors.js'
import { describeKey, keyJson } from './_key_json.js'

export default class KeysRetire extends AdminCommand {
  static commandName = 'keys:retire'
  static description = 'Retire a signing key; it stays published until the tokens it signed expire'

  @args.string({ description: 'The key id (after `--` when it starts with "-")' })
  declare kid: string

  protected async execute() {
    const key = await asAdminInput(retireSigningKey(this.kid))
    await this.audit('admin.key_retired', {
      data: { kid: key.kid, alg: key.alg, retired_at: key.retiredAt?.toISO() ?? null },
    })
    return keyJson(key)
  }

  protected describe(key: ReturnType<typeof keyJson>) {
    return `Retired ${describeKey(key)}`
  }
}
