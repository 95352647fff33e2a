import { flags } from '@adonisjs/core/ace'
import oidcConfig, { type SigningAlg } from '#config/oidc'
import keyStore from '#services/oidc/keys/key_store'
import OidcSigningKey from '#models/oidc_signing_key'
import { AdminCommand, AdminInputError } from './_admin_command.js'
import { describeKey, keyJson } from './_key_json.js'

const ALGS: SigningAlg[] = ['RS256', 'ES256', 'EdDSA']

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
    const alg = (this.alg ?? oidcConfig.signingAlg) as SigningAlg
    if (!ALGS.includes(alg))
      throw new AdminInputError(`unknown algorithm "${this.alg}"; use RS256, ES256 or EdDSA`)
    if (oidcConfig.privateKey)
      throw new AdminInputError(
        'IDP_OIDC_PRIVATE_KEY is set: that key signs and database keys are not used'
      )
    if (
      this.ifMissing &&
      (await OidcSigningKey.query().where('alg', alg).whereNull('retired_at').first())
    ) {
      return null
    }
    const key = await keyStore.generate(alg, { now: this.now })
    await this.audit('admin.keys_generated', {
      data: { kid: key.kid, alg: key.alg, active_from: key.activeFrom.toISO() },
    })
    return keyJson(key)
  }

  protected describe(key: ReturnType<typeof keyJson> | null) {
    return key ? `Created ${describeKey(key)}` : 'A signing key exists already'
  }
}
