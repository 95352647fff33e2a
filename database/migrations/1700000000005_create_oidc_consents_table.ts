import { BaseSchema } from '@adonisjs/lucid/schema'

export default class extends BaseSchema {
  async up() {
    this.schema.createTable('oidc_consents', (table) => {
      table.increments('id')
      table
        .integer('user_id')
        .unsigned()
        .notNullable()
        .references('id')
        .inTable('users')
        .onDelete('CASCADE')
      table
        .string('client_id', 100)
        .notNullable()
        .references('id')
        .inTable('oidc_clients')
        .onDelete('CASCADE')
        .index()
      table.text('scopes').notNullable()
      table.string('email', 254).nullable()
      table.datetime('created_at').notNullable()
      table.datetime('updated_at').notNullable()
      table.datetime('expires_at').notNullable().index()
      table.unique(['user_id', 'client_id'])
    })
  }

  async down() {
    this.schema.dropTable('oidc_consents')
  }
}
