import { DateTime } from 'luxon'
import type { AuthenticationMethod } from '#services/mfa/authentication_methods'
import { BaseModel, column } from '@adonisjs/lucid/orm'
import { booleanColumn, jsonColumn, listColumn, wordsColumn } from '#models/columns'

/** allauth's codes: `at` access token, `rt` refresh token */
export type TokenType = 'at' | 'rt'

export default class OidcToken extends BaseModel {
  static table = 'oidc_tokens'

  @column({ isPrimary: true })
  declare id: number

  @column()
  declare type: TokenType

  @column()
  declare hash: string

  @column()
  declare jti: string | null

  @column()
  declare clientId: string

  @column()
  declare userId: number | null

  @column()
  declare familyId: string

  @column()
  declare parentId: number | null

  @listColumn()
  declare scopes: string[]

  /** `{"email": "<address>"}` or null (docs/tokens.md#the-email-shared-with-a-client) */
  @jsonColumn()
  declare data: { email?: string | null } | null

  @column()
  declare authTime: number | null

  /** RFC 8176 methods of the authentication, null when unknown */
  @wordsColumn()
  declare amr: AuthenticationMethod[] | null

  @column()
  declare sid: string | null

  /** A device obtained this token's family (the device grant), which its owner can revoke */
  @booleanColumn()
  declare fromDevice: boolean

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime()
  declare expiresAt: DateTime | null

  @column.dateTime()
  declare rotatedAt: DateTime | null

  @column.dateTime()
  declare revokedAt: DateTime | null
}
