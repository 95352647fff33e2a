import { BaseSchema } from '@adonisjs/lucid/schema'

/*
 * Pending verifications of email addresses
 * (app/services/accounts/email_verification/): a link key or a code, stored
 * as SHA-256 digests, used once, until they expire.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.createTable('email_confirmations', (table) => {
      table.increments('id')
      table
        .integer('email_address_id')
        .unsigned()
        .notNullable()
        .references('id')
        .inTable('email_addresses')
        .onDelete('CASCADE')
        .index()
      table.string('key_digest', 64).nullable().unique()
      table.string('code_digest', 64).nullable()
      table.integer('failed_attempts').notNullable().defaultTo(0)
      table.datetime('created_at').notNullable()
      table.datetime('expires_at').notNullable().index()
    })
  }

  async down() {
    this.schema.dropTable('email_confirmations')
  }
}
