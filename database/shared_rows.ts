/**
 * Clients, users and email addresses are read on every token and userinfo
 * request and rarely change, while hydrating a row into a Lucid model costs
 * about 45 µs (attribute proxies, luxon dates). A model made from a row is
 * kept and handed out again as long as the database returns the very same
 * row, every column compared: the row is still read each time, so nothing is
 * ever stale and no state lives only here; only the hydration is saved.
 *
 * A kept model is shared by concurrent requests, so its attributes are frozen:
 * changing one throws instead of leaking into other requests. Code that
 * changes a client or a user loads its own instance (`Model.find`).
 */
import type { LucidModel, LucidRow } from '@adonisjs/lucid/types/model'

type Row = Record<string, unknown>
type Entry = { row: Row; model: LucidRow }

/* Per model; the oldest entry goes first, a hit moves an entry to the end */
const MAX_ENTRIES = 1000
const kept = new Map<LucidModel, Map<unknown, Entry>>()

function sameValue(a: unknown, b: unknown) {
  /* mysql2 reads DATETIME columns as Date objects */
  if (a instanceof Date) return b instanceof Date && a.getTime() === b.getTime()
  return a === b
}

function sameRow(a: Row, b: Row) {
  const keys = Object.keys(a)
  if (keys.length !== Object.keys(b).length) return false
  for (const key of keys) if (!sameValue(a[key], b[key])) return false
  return true
}

/** The model of `row` (a full row of the model's table), possibly shared: read-only */
export function sharedModel<Model extends LucidModel>(model: Model, row: Row): InstanceType<Model> {
  let entries = kept.get(model)
  if (!entries) kept.set(model, (entries = new Map()))
  const key = row[model.primaryKey]
  const entry = entries.get(key)
  entries.delete(key)
  if (entry && sameRow(entry.row, row)) {
    entries.set(key, entry)
    return entry.model as InstanceType<Model>
  }
  const instance = model.$createFromAdapterResult(row)!
  Object.freeze(instance.$attributes)
  entries.set(key, { row, model: instance })
  if (entries.size > MAX_ENTRIES) entries.delete(entries.keys().next().value)
  return instance as InstanceType<Model>
}
