import { BaseSchema } from '@adonisjs/lucid/schema'

export default class extends BaseSchema {
  async up() {
    this.schema.createTable('users', (table) => {
      table.increments('id')
      table.string('username', 150).nullable().unique()
      table.string('password', 255).notNullable()
      table.string('first_name', 150).notNullable().defaultTo('')
      table.string('last_name', 150).notNullable().defaultTo('')
      table.boolean('is_active').notNullable().defaultTo(true)
      table.text('profile').nullable()
      table.datetime('last_login_at').nullable()
      table.datetime('created_at').notNullable()
      table.datetime('updated_at').notNullable()
    })
    this.schema.createTable('email_addresses', (table) => {
      table.increments('id')
      table
        .integer('user_id')
        .unsigned()
        .notNullable()
        .references('id')
        .inTable('users')
        .onDelete('CASCADE')
        .index()
      table.string('email', 254).notNullable().unique()
      table.boolean('verified').notNullable().defaultTo(false)
      table.boolean('primary').notNullable().defaultTo(false)
      table.datetime('created_at').notNullable()
    })
  }

  async down() {
    this.schema.dropTable('email_addresses')
    this.schema.dropTable('users')
  }
}
