import { BaseSchema } from '@adonisjs/lucid/schema'

export default class extends BaseSchema {
  async up() {
    this.schema.createTable('oidc_session_clients', (table) => {
      table.increments('id')
      table.string('sid', 64).notNullable()
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
      table.datetime('created_at').notNullable().index()
      table.unique(['sid', 'client_id'])
    })
  }

  async down() {
    this.schema.dropTable('oidc_session_clients')
  }
}
