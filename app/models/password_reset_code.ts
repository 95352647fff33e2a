import { DateTime } from 'luxon'
import { BaseModel, column } from '@adonisjs/lucid/orm'

/** A password reset by code (app/services/accounts/password_reset/reset_codes.ts) */
export default class PasswordResetCode extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare userId: number

  /** SHA-256 of the mailed code */
  @column()
  declare codeDigest: string

  @column()
  declare failedAttempts: number

  /** When the right code was typed: the password may be set until expires_at */
  @column.dateTime()
  declare verifiedAt: DateTime | null

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime()
  declare expiresAt: DateTime
}
