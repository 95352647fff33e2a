import { DateTime } from 'luxon'
import { BaseModel, column } from '@adonisjs/lucid/orm'

/** Which clients received an ID token for a provider session (back-channel logout) */
export default class OidcSessionClient extends BaseModel {
  static table = 'oidc_session_clients'

  @column({ isPrimary: true })
  declare id: number

  @column()
  declare sid: string

  @column()
  declare clientId: string

  @column()
  declare userId: number

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime
}
