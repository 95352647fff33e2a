import { DateTime } from 'luxon'
import { BaseModel, column } from '@adonisjs/lucid/orm'

/** A pending verification of an email address (app/services/accounts/email_verification/confirmations.ts) */
export default class EmailConfirmation extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare emailAddressId: number

  /** SHA-256 of the link key, or null for a code */
  @column()
  declare keyDigest: string | null

  /** SHA-256 of the code, or null for a link */
  @column()
  declare codeDigest: string | null

  /** Tries of the code so far */
  @column()
  declare failedAttempts: number

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime()
  declare expiresAt: DateTime
}
