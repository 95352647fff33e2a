import { DateTime } from 'luxon'
import { BaseModel, column } from '@adonisjs/lucid/orm'
import { jsonColumn } from '#models/columns'
import type { SigningAlg } from '#config/oidc'

export default class OidcSigningKey extends BaseModel {
  static table = 'oidc_signing_keys'

  @column({ isPrimary: true })
  declare id: number

  /** RFC 7638 thumbprint */
  @column()
  declare kid: string

  @column()
  declare alg: SigningAlg

  /** PKCS#8 PEM encrypted with APP_KEY */
  @column({ serializeAs: null })
  declare privateKey: string

  @jsonColumn()
  declare publicJwk: Record<string, unknown>

  @column.dateTime()
  declare activeFrom: DateTime

  @column.dateTime()
  declare retiredAt: DateTime | null

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime
}
