import { BaseSchema } from '@adonisjs/lucid/schema'

/*
 * WebAuthn challenges waiting for their ceremony
 * (app/services/mfa/webauthn/challenge_store.ts). The browser's session holds
 * the challenge; the row, keyed by its digest, says it is still unused, for
 * which ceremony and user. Deleting the row is using it: one ceremony each,
 * whichever process answers.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.createTable('webauthn_challenges', (table) => {
      table.increments('id')
      table.string('digest', 64).notNullable().unique()
      /* register, authenticate (second factor, reauthentication) or passkey_login */
      table.string('ceremony', 20).notNullable()
      /* null for a passkey sign-in, where the user is known only from the answer */
      table
        .integer('user_id')
        .unsigned()
        .nullable()
        .references('id')
        .inTable('users')
        .onDelete('CASCADE')
      table.datetime('expires_at').notNullable().index()
    })
  }

  async down() {
    this.schema.dropTable('webauthn_challenges')
  }
}
