import { args } from '@adonisjs/core/ace'
import keyStore from '#services/oidc/keys/key_store'
import type OidcSigningKey from '#models/oidc_signing_key'
import { AdminCommand, AdminInputError } from './_admin_command.js'
import { describeKey, keyJson } from './_key_json.js'

export default class KeysRetire extends AdminCommand {
  static commandName = 'keys:retire'
  static description = 'Retire a signing key; it stays published until the tokens it signed expire'

  @args.string({ description: 'The key id (after `--` when it starts with "-")' })
  declare kid: string

  protected async execute() {
    let key: OidcSigningKey
    try {
      key = await keyStore.retire(this.kid)
    } catch (error) {
      throw new AdminInputError((error as Error).message)
    }
    await this.audit('admin.key_retired', {
      data: { kid: key.kid, alg: key.alg, retired_at: key.retiredAt?.toISO() ?? null },
    })
    return keyJson(key)
  }

  protected describe(key: ReturnType<typeof keyJson>) {
    return `Retired ${describeKey(key)}`
  }
}
