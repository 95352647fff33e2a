import { DateTime } from 'luxon'
import { BaseModel, column } from '@adonisjs/lucid/orm'
import { booleanColumn } from '#models/columns'

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
}
