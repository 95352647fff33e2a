import { DateTime } from 'luxon'
import { BaseModel, column, hasMany } from '@adonisjs/lucid/orm'
import type { HasMany } from '@adonisjs/lucid/types/relations'
import EmailAddress from '#models/email_address'
import { booleanColumn, jsonColumn } from '#models/columns'

/** Signs in with a username or any of its email addresses (app/services/accounts/credentials.ts) */
export default class User extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare username: string | null

  @column({ serializeAs: null })
  declare password: string

  @column()
  declare firstName: string

  @column()
  declare lastName: string

  @booleanColumn()
  declare isActive: boolean

  /** Django's is_staff: may use the admin console */
  @booleanColumn()
  declare isStaff: boolean

  /** Django's is_superuser, kept from allauth */
  @booleanColumn()
  declare isSuperuser: boolean

  /** Optional standard claims (picture, locale, phone_number, address, …) and app data */
  @jsonColumn()
  declare profile: Record<string, unknown> | null

  @column.dateTime()
  declare lastLoginAt: DateTime | null

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime

  @hasMany(() => EmailAddress)
  declare emailAddresses: HasMany<typeof EmailAddress>
}
