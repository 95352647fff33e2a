import { BaseSchema } from '@adonisjs/lucid/schema'

/*
 * What `allauth:import` brought over: per source database and row, the row it became here
 * and a digest of each source field at the last import, so that a later run
 * changes only what changed in the source (app/services/allauth_import/ledger.ts).
 */
export default class extends BaseSchema {
  async up() {
    this.schema.createTable('allauth_imported_rows', (table) => {
      table.bigIncrements('id')
      /* the source database's fingerprint */
      table.string('source_id', 32).notNullable()
      table.string('source_table', 64).notNullable()
      table.string('source_key', 191).notNullable()
      table.string('target_key', 191).notNullable()
      table.text('digests').notNullable()
      table.datetime('imported_at').notNullable()
      table.unique(['source_id', 'source_table', 'source_key'])
    })
  }

  async down() {
    this.schema.dropTable('allauth_imported_rows')
  }
}
