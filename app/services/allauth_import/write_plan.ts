/**
 * The writes an import will make, in order, collected while planning so that
 * a dry run can stop before any of them and a real run applies them all in
 * one transaction. Consecutive inserts into one table go out as multi-row
 * inserts.
 */
import type { QueryClientContract } from '@adonisjs/lucid/types/database'

type Value = string | number | null
export type InsertRow = Record<string, Value>

type Operation =
  | { kind: 'insert'; table: string; rows: InsertRow[] }
  | { kind: 'run'; work: (client: QueryClientContract) => Promise<unknown> }

/* SQLite binds at most 32,766 values in one statement */
const ROWS_PER_INSERT = 200

export class WritePlan {
  #operations: Operation[] = []

  insert(table: string, row: InsertRow) {
    const last = this.#operations.at(-1)
    if (last?.kind === 'insert' && last.table === table) last.rows.push(row)
    else this.#operations.push({ kind: 'insert', table, rows: [row] })
  }

  run(work: (client: QueryClientContract) => Promise<unknown>) {
    this.#operations.push({ kind: 'run', work })
  }

  /** Another plan's writes, after this one's */
  append(other: WritePlan) {
    for (const operation of other.#operations) {
      if (operation.kind === 'run') this.run(operation.work)
      else for (const row of operation.rows) this.insert(operation.table, row)
    }
  }

  async apply(client: QueryClientContract) {
    for (const operation of this.#operations) {
      if (operation.kind === 'run') {
        await operation.work(client)
        continue
      }
      for (let start = 0; start < operation.rows.length; start += ROWS_PER_INSERT)
        await client
          .table(operation.table)
          .multiInsert(operation.rows.slice(start, start + ROWS_PER_INSERT))
    }
  }
}
