import { BaseSchema } from '@adonisjs/lucid/schema'

export default class extends BaseSchema {
  async up() {
    this.schema.createTable('oidc_signing_keys', (table) => {
      table.increments('id')
      table.string('kid', 64).notNullable().unique()
      table.string('alg', 10).notNullable()
      table.text('private_key').notNullable()
      table.text('public_jwk').notNullable()
      table.datetime('active_from').notNullable()
      table.datetime('retired_at').nullable()
      table.datetime('created_at').notNullable()
      table.index(['alg', 'active_from'])
    })
  }

  async down() {
    this.schema.dropTable('oidc_signing_keys')
  }
}
