import { BaseSchema } from '@adonisjs/lucid/schema'

/*
 * Back-channel logout notices waiting to leave
 * (app/services/oidc/logout/backchannel.ts): written in the transaction that
 * forgets the ended session's clients, so a notice is never lost with the
 * process that ended the session. The logout token is signed at each attempt
 * from the claims kept here, so a retry never sends an expired one.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.createTable('oidc_backchannel_outbox', (table) => {
      table.increments('id')
      table.string('client_id', 100).notNullable()
      table.string('backchannel_logout_uri', 2000).notNullable()
      table.string('iss', 2000).notNullable()
      table.string('sub', 255).notNullable()
      table.string('sid', 100).notNullable()
      table.integer('attempts').notNullable().defaultTo(0)
      table.datetime('next_attempt_at').notNullable().index()
      /* a process that claimed the row owns it until then; a crashed one's claim runs out */
      table.datetime('claimed_until').nullable()
      table.string('last_error', 500).nullable()
      /* out of attempts: kept for the operator */
      table.datetime('failed_at').nullable()
      table.datetime('created_at').notNullable()
    })
  }

  async down() {
    this.schema.dropTable('oidc_backchannel_outbox')
  }
}
