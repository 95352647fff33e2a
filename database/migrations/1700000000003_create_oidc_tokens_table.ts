import { BaseSchema } from '@adonisjs/lucid/schema'

export default class extends BaseSchema {
  async up() {
    this.schema.createTable('oidc_tokens', (table) => {
      table.bigIncrements('id')
      table.string('type', 2).notNullable()
      table.string('hash', 64).notNullable()
      table.string('jti', 64).nullable()
      table
        .string('client_id', 100)
        .notNullable()
        .references('id')
        .inTable('oidc_clients')
        .onDelete('CASCADE')
      table
        .integer('user_id')
        .unsigned()
        .nullable()
        .references('id')
        .inTable('users')
        .onDelete('CASCADE')
      table.string('family_id', 32).notNullable()
      table.bigInteger('parent_id').unsigned().nullable()
      table.text('scopes').notNullable()
      table.text('data').nullable()
      table.integer('auth_time').nullable()
      table.string('sid', 64).nullable()
      table.datetime('created_at').notNullable()
      table.datetime('expires_at').nullable()
      table.datetime('rotated_at').nullable()
      table.datetime('revoked_at').nullable()
      table.unique(['type', 'hash'])
      table.index(['family_id'])
      table.index(['user_id', 'client_id'])
      table.index(['client_id'])
      table.index(['expires_at'])
    })
  }

  async down() {
    this.schema.dropTable('oidc_tokens')
  }
}
