import { DateTime } from 'luxon'
import { BaseModel, column } from '@adonisjs/lucid/orm'
import { booleanColumn, jsonColumn, listColumn } from '#models/columns'
import { selectRow } from '#database/statements'
import { isStorableText } from '#database/storable_text'
import { sharedModel } from '#database/shared_rows'

export type ClientType = 'confidential' | 'public'

export default class OidcClient extends BaseModel {
  static table = 'oidc_clients'
  static selfAssignPrimaryKey = true

  /** The client_id */
  @column({ isPrimary: true })
  declare id: string

  @column()
  declare name: string

  /** `sha256$<hex>` (or a PBKDF2 hash brought over from allauth); `!` for public clients */
  @column({ serializeAs: null })
  declare secret: string

  @column()
  declare type: ClientType

  @listColumn()
  declare scopes: string[]

  @listColumn()
  declare defaultScopes: string[]

  @listColumn()
  declare grantTypes: string[]

  /** Each stored with its words sorted */
  @listColumn()
  declare responseTypes: string[]

  @listColumn()
  declare redirectUris: string[]

  @listColumn()
  declare postLogoutRedirectUris: string[]

  @listColumn()
  declare corsOrigins: string[]

  @booleanColumn()
  declare allowUriWildcards: boolean

  @booleanColumn()
  declare skipConsent: boolean

  /** Its users must sign in with a second factor (docs/mfa.md) */
  @booleanColumn()
  declare requireMfa: boolean

  @column()
  declare backchannelLogoutUri: string | null

  @column()
  declare ownerId: number | null

  @jsonColumn()
  declare data: Record<string, unknown> | null

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime

  get isPublic() {
    return this.type === 'public'
  }

  /**
   * The client with exactly this id, read-only (#services/db/shared_rows).
   * MySQL's default collation compares without case, so `ABC` would
   * otherwise find `abc`.
   */
  static async findExact(id: string) {
    if (!isStorableText(id)) return null
    const row = await selectRow('select * from oidc_clients where id = ?', [id])
    return row?.id === id ? sharedModel(this, row) : null
  }
}
