import { BaseSchema } from '@adonisjs/lucid/schema'

export default class extends BaseSchema {
  async up() {
    this.schema.createTable('oidc_authorization_codes', (table) => {
      table.bigIncrements('id')
      table.string('hash', 64).notNullable().unique()
      table
        .string('client_id', 100)
        .notNullable()
        .references('id')
        .inTable('oidc_clients')
        .onDelete('CASCADE')
        .index()
      table
        .integer('user_id')
        .unsigned()
        .notNullable()
        .references('id')
        .inTable('users')
        .onDelete('CASCADE')
        .index()
      table.string('family_id', 32).notNullable()
      table.text('redirect_uri').notNullable()
      table.text('scopes').notNullable()
      table.text('nonce').nullable()
      table.string('code_challenge', 128).nullable()
      table.string('code_challenge_method', 10).nullable()
      table.text('claims').nullable()
      table.string('email', 254).nullable()
      table.integer('auth_time').notNullable()
      table.string('sid', 64).nullable()
      table.datetime('created_at').notNullable()
      table.datetime('expires_at').notNullable().index()
      table.datetime('consumed_at').nullable()
    })
  }

  async down() {
    this.schema.dropTable('oidc_authorization_codes')
  }
}
