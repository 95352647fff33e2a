/**
 * Rows inserted with explicit ids (users brought over from allauth keep
 * theirs). MySQL and SQLite move their auto-increment counter past such ids
 * by themselves; PostgreSQL's sequence does not move, so the next ordinary
 * insert would collide: it is set to the largest id.
 */
import type { QueryClientContract } from '@adonisjs/lucid/types/database'

export async function followInsertedIds(table: string, client: QueryClientContract) {
  if (client.dialect.name !== 'postgres') return
  await client.rawQuery(
    `select setval(pg_get_serial_sequence(?, 'id'), (select max(id) from ${table}))`,
    [table]
  )
}
