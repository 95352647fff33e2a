import { BaseSchema } from '@adonisjs/lucid/schema'

/*
 * What happened, for operators and incident responders (app/services/audit).
 * No foreign keys: an event outlives the user or client it names, and never
 * blocks their deletion. Kept for IDP_OIDC_AUDIT_EVENT_RETENTION, pruned by
 * tokens:prune.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.createTable('audit_events', (table) => {
      table.bigIncrements('id')
      table.datetime('occurred_at').notNullable().index()
      table.string('type', 64).notNullable()
      table.integer('user_id').unsigned().nullable()
      table.string('client_id', 100).nullable()
      table.string('ip', 45).nullable()
      table.string('actor', 100).nullable()
      /* JSON: the event's non-secret details */
      table.text('data').nullable()
      table.index(['user_id', 'occurred_at'])
      table.index(['client_id', 'occurred_at'])
    })
  }

  async down() {
    this.schema.dropTable('audit_events')
  }
}
