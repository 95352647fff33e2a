import OidcSigningKey from '#models/oidc_signing_key'
import { AdminCommand } from './_admin_command.js'
import { describeKey, keyJson } from './_key_json.js'

export default class KeysList extends AdminCommand {
  static commandName = 'keys:list'
  static description = 'List the signing keys'

  protected async execute() {
    const keys = await OidcSigningKey.query().orderBy('active_from', 'desc')
    return keys.map(keyJson)
  }

  protected describe(keys: ReturnType<typeof keyJson>[]) {
    return keys.length ? keys.map(describeKey).join('\n') : 'No keys'
  }
}
