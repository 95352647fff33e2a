/**
 * Rows written with fixed SQL are encoded by the same column codecs as the
 * models (booleans, lists, JSON), so a row inserted by a hot path reads back
 * through its model exactly like one the model saved. Times are stored as
 * `sqlTime` strings (UTC).
 */
import { DateTime } from 'luxon'
import type { LucidModel, LucidRow, ModelAttributes } from '@adonisjs/lucid/types/model'
import { sqlTime } from '#models/columns'

import type { Binding } from '#database/statements'

export type Row = Record<string, Binding>

/** The attributes of a model as plain values, by attribute name */
export type Attributes<Model extends LucidModel> = Partial<ModelAttributes<InstanceType<Model>>>

/** The columns of `attributes` for an insert or update of `Model`'s table */
export function encodeRow<Model extends LucidModel>(
  Model: Model,
  attributes: Attributes<Model>
): Row {
  const row: Row = {}
  for (const [attribute, value] of Object.entries(attributes)) {
    const column = Model.$columnsDefinitions.get(attribute)
    if (!column) throw new Error(`${Model.name} has no attribute ${attribute}`)
    row[column.columnName] =
      value instanceof DateTime
        ? sqlTime(value)
        : column.prepare && value !== null
          ? column.prepare(value, attribute, undefined as unknown as LucidRow)
          : (value as Binding)
  }
  return row
}
