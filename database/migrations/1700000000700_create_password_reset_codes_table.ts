import { BaseSchema } from '@adonisjs/lucid/schema'

/*
 * Password resets by code (ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED,
 * app/services/accounts/password_reset/reset_codes.ts): the code's SHA-256
 * digest, its tries, and when the right code was typed. Reset links need no
 * row: their key is derived from the account (reset_keys.ts).
 */
export default class extends BaseSchema {
  async up() {
    this.schema.createTable('password_reset_codes', (table) => {
      table.increments('id')
      table
        .integer('user_id')
        .unsigned()
        .notNullable()
        .references('id')
        .inTable('users')
        .onDelete('CASCADE')
        .index()
      table.string('code_digest', 64).notNullable()
      table.integer('failed_attempts').notNullable().defaultTo(0)
      table.datetime('verified_at').nullable()
      table.datetime('created_at').notNullable()
      table.datetime('expires_at').notNullable().index()
    })
  }

  async down() {
    this.schema.dropTable('password_reset_codes')
  }
}
