import { BaseSchema } from '@adonisjs/lucid/schema'

export default class extends BaseSchema {
  async up() {
    this.schema.createTable('oidc_clients', (table) => {
      table.string('id', 100).primary()
      table.string('name', 100).notNullable()
      table.string('secret', 200).notNullable()
      table.string('type', 20).notNullable().defaultTo('confidential')
      table.text('scopes').notNullable()
      table.text('default_scopes').notNullable()
      table.text('grant_types').notNullable()
      table.text('response_types').notNullable()
      table.text('redirect_uris').notNullable()
      table.text('post_logout_redirect_uris').notNullable()
      table.text('cors_origins').notNullable()
      table.boolean('allow_uri_wildcards').notNullable().defaultTo(false)
      table.boolean('skip_consent').notNullable().defaultTo(false)
      table.string('backchannel_logout_uri', 2000).nullable()
      table
        .integer('owner_id')
        .unsigned()
        .nullable()
        .references('id')
        .inTable('users')
        .onDelete('CASCADE')
      table.text('data').nullable()
      table.datetime('created_at').notNullable()
      table.datetime('updated_at').notNullable()
    })
  }

  async down() {
    this.schema.dropTable('oidc_clients')
  }
}
