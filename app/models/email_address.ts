import { DateTime } from 'luxon'
import { BaseModel, column } from '@adonisjs/lucid/orm'
import { booleanColumn } from '#models/columns'
import { selectRow } from '#database/statements'
import { sharedModel } from '#database/shared_rows'

export default class EmailAddress extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare userId: number

  /** Stored lower-cased */
  @column()
  declare email: string

  @booleanColumn()
  declare verified: boolean

  @booleanColumn()
  declare primary: boolean

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  /** The address claims show, read-only: the one chosen at consent, else the primary one (docs/tokens.md#the-email-shared-with-a-client) */
  static async forClaims(userId: number, chosen: string | null | undefined) {
    const row = chosen
      ? await selectRow('select * from email_addresses where user_id = ? and email = ?', [
          userId,
          chosen.toLowerCase(),
        ])
      : /* `??` quotes the reserved word as the dialect does; PostgreSQL compares no boolean with 1 */
        await selectRow('select * from email_addresses where user_id = ? and ??', [
          userId,
          'primary',
        ])
    return row ? sharedModel(this, row) : null
  }
}
