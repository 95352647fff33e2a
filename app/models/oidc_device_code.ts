import { DateTime } from 'luxon'
import type { AuthenticationMethod } from '#services/mfa/authentication_methods'
import { BaseModel, column } from '@adonisjs/lucid/orm'
import { listColumn, wordsColumn } from '#models/columns'

export type DeviceCodeStatus = 'pending' | 'approved' | 'denied' | 'consumed'

export default class OidcDeviceCode extends BaseModel {
  static table = 'oidc_device_codes'

  @column({ isPrimary: true })
  declare id: number

  @column()
  declare deviceCodeHash: string

  /** Normalised (upper case, no dashes) */
  @column()
  declare userCode: string

  @column()
  declare clientId: string

  @listColumn()
  declare scopes: string[]

  @column()
  declare status: DeviceCodeStatus

  @column()
  declare userId: number | null

  @column()
  declare authTime: number | null

  /** RFC 8176 methods of the authentication, null when unknown */
  @wordsColumn()
  declare amr: AuthenticationMethod[] | null

  @column()
  declare interval: number

  @column.dateTime()
  declare lastPolledAt: DateTime | null

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime()
  declare expiresAt: DateTime

  @column.dateTime()
  declare decidedAt: DateTime | null
}
