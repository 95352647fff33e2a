import { BaseSchema } from '@adonisjs/lucid/schema'

/*
 * The signed consent forms that have been answered (granted or denied), so
 * that each answers only once. Rows are kept until the form would have
 * expired anyway; tokens:prune deletes them after.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.createTable('oidc_answered_consent_requests', (table) => {
      table.increments('id')
      table.string('request_id', 32).notNullable().unique()
      table.datetime('expires_at').notNullable().index()
    })
  }

  async down() {
    this.schema.dropTable('oidc_answered_consent_requests')
  }
}
