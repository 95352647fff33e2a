import { flags } from '@adonisjs/core/ace'
import { generateSigningKey } from '#services/oidc/keys/key_management'
import { AdminCommand } from './_admin_command.js'
import { asAdminInput } from './_input_errors.js'
import { describeKey, keyJson } from './_key_json.js'

export default class KeysGenerate extends AdminCommand {
  static commandName = 'keys:generate'
  static description =
    'Create a signing key; it signs after 5 minutes when another key of its algorithm signs now'

  @flags.string({ description: 'RS256 (default), ES256 or EdDSA' })
  declare alg?: string

  @flags.boolean({ description: 'Sign at once instead of after the publication lead time' })
  declare now: boolean

  @flags.boolean({ description: 'Only when no key of the algorithm signs yet (used by npm start)' })
  declare ifMissing: boolean

  protected async execute() {
    const key = await asAdminInput(
      generateSigningKey(this.alg, { now: this.now, ifMissing: this.ifMissing })
    )
    if (!key) return null
    await this.audit('admin.keys_generated', {
      data: { kid: key.kid, alg: key.alg, active_from: key.activeFrom.toISO() },
    })
    return keyJson(key)
  }

  protected describe(key: ReturnType<typeof keyJson> | null) {
    return key ? `Created ${describeKey(key)}` : 'A signing key exists already'
  }
}
