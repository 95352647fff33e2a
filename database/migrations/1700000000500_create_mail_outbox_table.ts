import { BaseSchema } from '@adonisjs/lucid/schema'

/*
 * Mails waiting to leave (app/services/accounts/mail/outbox.ts): written in
 * the transaction of the change that causes them, claimed by one app process
 * at a time, deleted once the mail server took them.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.createTable('mail_outbox', (table) => {
      table.increments('id')
      table.string('recipient', 254).notNullable()
      table.string('subject', 255).notNullable()
      table.text('text_body').notNullable()
      table.text('html_body').notNullable()
      table.integer('attempts').notNullable().defaultTo(0)
      table.datetime('next_attempt_at').notNullable().index()
      /* a process that claimed the row owns it until then; a crashed one's claim runs out */
      table.datetime('claimed_until').nullable()
      table.string('last_error', 500).nullable()
      /* out of attempts: kept for the operator, bodies emptied */
      table.datetime('failed_at').nullable()
      table.datetime('created_at').notNullable()
    })
  }

  async down() {
    this.schema.dropTable('mail_outbox')
  }
}
