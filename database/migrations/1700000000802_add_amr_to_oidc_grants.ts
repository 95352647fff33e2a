import { BaseSchema } from '@adonisjs/lucid/schema'

/*
 * How the person authenticated (RFC 8176 `amr` values, space-separated),
 * carried from the session through codes, device approvals and tokens to
 * every ID token issued from them; NULL where it is not known (rows from
 * before, tokens imported from allauth), and then the ID token has no amr.
 */
const TABLES = ['oidc_authorization_codes', 'oidc_tokens', 'oidc_device_codes']

export default class extends BaseSchema {
  async up() {
    for (const name of TABLES)
      this.schema.alterTable(name, (table) => {
        table.string('amr', 40).nullable()
      })
  }

  async down() {
    for (const name of TABLES)
      this.schema.alterTable(name, (table) => {
        table.dropColumn('amr')
      })
  }
}
