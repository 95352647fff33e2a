import { DateTime } from 'luxon'
import type { AuthenticationMethod } from '#services/mfa/authentication_methods'
import { BaseModel, column } from '@adonisjs/lucid/orm'
import { jsonColumn, listColumn, wordsColumn } from '#models/columns'

export default class OidcAuthorizationCode extends BaseModel {
  static table = 'oidc_authorization_codes'

  @column({ isPrimary: true })
  declare id: number

  @column()
  declare hash: string

  @column()
  declare clientId: string

  @column()
  declare userId: number

  @column()
  declare familyId: string

  /** The exact string sent at authorization */
  @column()
  declare redirectUri: string

  @listColumn()
  declare scopes: string[]

  @column()
  declare nonce: string | null

  @column()
  declare codeChallenge: string | null

  @column()
  declare codeChallengeMethod: string | null

  @jsonColumn()
  declare claims: Record<string, unknown> | null

  @column()
  declare email: string | null

  @column()
  declare authTime: number

  /** RFC 8176 methods of the authentication, null when unknown */
  @wordsColumn()
  declare amr: AuthenticationMethod[] | null

  @column()
  declare sid: string | null

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime()
  declare expiresAt: DateTime

  @column.dateTime()
  declare consumedAt: DateTime | null
}
