import { DateTime } from 'luxon'
import { BaseModel, column } from '@adonisjs/lucid/orm'
import { listColumn } from '#models/columns'

export default class OidcConsent extends BaseModel {
  static table = 'oidc_consents'

  @column({ isPrimary: true })
  declare id: number

  @column()
  declare userId: number

  @column()
  declare clientId: string

  @listColumn()
  declare scopes: string[]

  /** The email chosen at consent, when it differs from the primary (docs/tokens.md#the-email-shared-with-a-client) */
  @column()
  declare email: string | null

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime

  @column.dateTime()
  declare expiresAt: DateTime
}
