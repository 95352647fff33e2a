import { BaseSchema } from '@adonisjs/lucid/schema'

/*
 * A user's second factors, shaped like allauth's mfa_authenticator so that
 * its rows come over as they are (docs/mfa.md): `type` is totp,
 * recovery_codes or webauthn, `data` the type's JSON with its secrets
 * encrypted with APP_KEY.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.createTable('mfa_authenticators', (table) => {
      table.increments('id')
      table
        .integer('user_id')
        .unsigned()
        .notNullable()
        .references('id')
        .inTable('users')
        .onDelete('CASCADE')
        .index()
      table.string('type', 20).notNullable()
      /*
       * allauth's unique_authenticator_type (one TOTP and one recovery-code
       * set per user) is a partial index MySQL cannot build: the type again
       * for those two, NULL for webauthn, under a plain unique index, which
       * every dialect lets hold many NULLs.
       */
      table.string('single_type', 20).nullable()
      /* text, not a JSON type: updates compare it whole (a used code or mask changes it once) */
      table.text('data').notNullable()
      table.datetime('created_at').notNullable()
      table.datetime('last_used_at').nullable()
      table.unique(['user_id', 'single_type'])
    })
  }

  async down() {
    this.schema.dropTable('mfa_authenticators')
  }
}
