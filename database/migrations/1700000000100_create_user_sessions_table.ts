import { BaseSchema } from '@adonisjs/lucid/schema'

/*
 * One row per provider session (a sign-in), keyed by its `sid`: the session
 * cookie is honoured only while its row lives, so that logout, a password
 * change or deactivation end a session on the server, whatever store holds
 * the cookie's data.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.createTable('user_sessions', (table) => {
      table.increments('id')
      table.string('sid', 64).notNullable().unique()
      table
        .integer('user_id')
        .unsigned()
        .notNullable()
        .references('id')
        .inTable('users')
        .onDelete('CASCADE')
        .index()
      table.string('ip', 45).nullable()
      table.string('user_agent', 255).nullable()
      table.datetime('created_at').notNullable()
      table.datetime('last_seen_at').notNullable()
      /* the absolute end (SESSION_COOKIE_AGE); the idle end follows last_seen_at */
      table.datetime('expires_at').notNullable().index()
    })
  }

  async down() {
    this.schema.dropTable('user_sessions')
  }
}
