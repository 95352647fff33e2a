import { BaseSchema } from '@adonisjs/lucid/schema'

/*
 * Marks the tokens of a family a device obtained (the device grant and the
 * refreshes that follow), so that its owner can see and revoke the device on
 * /accounts/grants/: device approvals leave no consent to revoke.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.alterTable('oidc_tokens', (table) => {
      table.boolean('from_device').notNullable().defaultTo(false)
    })
  }

  async down() {
    this.schema.alterTable('oidc_tokens', (table) => {
      table.dropColumn('from_device')
    })
  }
}
