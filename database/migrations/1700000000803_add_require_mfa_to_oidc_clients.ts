import { BaseSchema } from '@adonisjs/lucid/schema'

/* A client whose users must sign in with a second factor (client:create --require-mfa) */
export default class extends BaseSchema {
  async up() {
    this.schema.alterTable('oidc_clients', (table) => {
      table.boolean('require_mfa').notNullable().defaultTo(false)
    })
  }

  async down() {
    this.schema.alterTable('oidc_clients', (table) => {
      table.dropColumn('require_mfa')
    })
  }
}
