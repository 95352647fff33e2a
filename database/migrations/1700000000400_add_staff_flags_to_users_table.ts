import { BaseSchema } from '@adonisjs/lucid/schema'

/* Django's is_staff and is_superuser, kept for users brought over from allauth and for a later admin console */
export default class extends BaseSchema {
  async up() {
    this.schema.alterTable('users', (table) => {
      table.boolean('is_staff').notNullable().defaultTo(false)
      table.boolean('is_superuser').notNullable().defaultTo(false)
    })
  }

  async down() {
    this.schema.alterTable('users', (table) => {
      table.dropColumn('is_staff')
      table.dropColumn('is_superuser')
    })
  }
}
