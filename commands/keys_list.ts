import OidcSigningKey from '#models/oidc_signing_key'
import keyStore from '#services/oidc/keys/key_store'
import { AdminCommand } from './_admin_command.js'
import { describeKey, keyJson } from './_key_json.js'

type ListedKey = ReturnType<typeof keyJson> & { signs_now: boolean }

export default class KeysList extends AdminCommand {
  static commandName = 'keys:list'
  static description = 'List the signing keys, newest first, marking the one that signs now'

  protected async execute(): Promise<ListedKey[]> {
    const keys = await OidcSigningKey.query().orderBy('active_from', 'desc')
    const signing = await keyStore.signingKid()
    return keys.map((key) => ({ ...keyJson(key), signs_now: key.kid === signing }))
  }

  protected describe(keys: ListedKey[]) {
    return keys.length ? keys.map(describeKey).join('\n') : 'No keys'
  }
}
