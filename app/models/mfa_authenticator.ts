import { DateTime } from 'luxon'
import { BaseModel, column } from '@adonisjs/lucid/orm'
import type { AuthenticatorType } from '#start/mfa_settings'

/**
 * A second factor of a user, as allauth's Authenticator: read and written
 * through app/services/mfa/authenticator_store.ts, which parses `data` and
 * seals its secrets.
 */
export default class MfaAuthenticator extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare userId: number

  @column()
  declare type: AuthenticatorType

  /** The type again for totp and recovery_codes (one each per user), null for webauthn */
  @column()
  declare singleType: AuthenticatorType | null

  /** The type's JSON, as text: a change is written only over the text it was read with */
  @column()
  declare data: string

  @column.dateTime()
  declare createdAt: DateTime

  @column.dateTime()
  declare lastUsedAt: DateTime | null
}
