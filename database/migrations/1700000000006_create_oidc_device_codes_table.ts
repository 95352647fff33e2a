import { BaseSchema } from '@adonisjs/lucid/schema'

export default class extends BaseSchema {
  async up() {
    this.schema.createTable('oidc_device_codes', (table) => {
      table.bigIncrements('id')
      table.string('device_code_hash', 64).notNullable().unique()
      table.string('user_code', 16).notNullable().unique()
      table
        .string('client_id', 100)
        .notNullable()
        .references('id')
        .inTable('oidc_clients')
        .onDelete('CASCADE')
        .index()
      table.text('scopes').notNullable()
      table.string('status', 10).notNullable().defaultTo('pending')
      table
        .integer('user_id')
        .unsigned()
        .nullable()
        .references('id')
        .inTable('users')
        .onDelete('CASCADE')
        .index()
      table.integer('auth_time').nullable()
      table.integer('interval').notNullable()
      table.datetime('last_polled_at').nullable()
      table.datetime('created_at').notNullable()
      table.datetime('expires_at').notNullable().index()
      table.datetime('decided_at').nullable()
    })
  }

  async down() {
    this.schema.dropTable('oidc_device_codes')
  }
}
