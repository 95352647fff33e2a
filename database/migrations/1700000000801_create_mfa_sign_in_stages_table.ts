import { BaseSchema } from '@adonisjs/lucid/schema'

/*
 * Sign-ins that passed their first step (the password) and wait for a second
 * factor (app/services/mfa/sign_in_stage.ts). The browser holds only a random
 * id whose digest keys the row; the row goes once the sign-in completes, so a
 * copy of the cookie cannot complete it twice.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.createTable('mfa_sign_in_stages', (table) => {
      table.increments('id')
      table.string('digest', 64).notNullable().unique()
      table
        .integer('user_id')
        .unsigned()
        .notNullable()
        .references('id')
        .inTable('users')
        .onDelete('CASCADE')
        .index()
      /* where the sign-in goes once complete: a same-site path */
      table.text('next').notNullable()
      /* the methods already used (RFC 8176 amr values), space-separated */
      table.string('methods', 100).notNullable()
      /* login: a sign-in; reauthenticate: a signed-in session giving its factor again */
      table.string('purpose', 20).notNullable()
      table.datetime('created_at').notNullable()
      table.datetime('expires_at').notNullable().index()
    })
  }

  async down() {
    this.schema.dropTable('mfa_sign_in_stages')
  }
}
