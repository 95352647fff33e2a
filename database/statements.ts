/**
 * Fixed SQL for the hot paths (token endpoint, userinfo, the API guard).
 * Lucid's query builder costs about 100 µs per query and a model query about
 * 250 µs (measured with SQLite, where the statement itself takes about 10 µs),
 * so these paths send plain SQL through Lucid's raw queries and hydrate the
 * rows into models themselves. The SQL is the subset SQLite, MySQL and
 * PostgreSQL read alike (`?` placeholders on all three, through Lucid); what
 * differs is the shape of the drivers' answers, handled here.
 */
import db from '@adonisjs/lucid/services/db'
import type { QueryClientContract } from '@adonisjs/lucid/types/database'
import type {
  DatabaseQueryBuilderContract,
  RawQueryBindings,
} from '@adonisjs/lucid/types/querybuilder'

type Row = Record<string, unknown>
export type Binding = string | number | null
/* Lucid's binding type leaves out null, which every driver binds as NULL */
const asBindings = (values: Binding[]) => values as RawQueryBindings

/*
 * What each driver answers to a raw query: mysql2 `[rows or result header,
 * fields]`, node-postgres `{ rows, rowCount }`, better-sqlite3 the rows of a
 * select or `{ changes }` for a write.
 */
type RawResult = any
const answers: Record<
  string,
  { rows(result: RawResult): Row[]; changed(result: RawResult): number }
> = {
  'mysql': { rows: (result) => result[0], changed: (result) => result[0].affectedRows },
  'postgres': { rows: (result) => result.rows, changed: (result) => result.rowCount },
  'better-sqlite3': { rows: (result) => result, changed: (result) => result.changes },
}

/** The rows of a select */
export async function selectRows<T extends Row = Row>(
  sql: string,
  bindings: Binding[],
  client: QueryClientContract = db.connection()
): Promise<T[]> {
  const result = await client.rawQuery(sql, asBindings(bindings))
  return answers[client.dialect.name].rows(result) as T[]
}

export async function selectRow<T extends Row = Row>(
  sql: string,
  bindings: Binding[],
  client?: QueryClientContract
): Promise<T | null> {
  const [row] = await selectRows<T>(sql, bindings, client)
  return row ?? null
}

/** How many rows a write changed */
function changedCount(client: QueryClientContract, result: RawResult): number {
  return answers[client.dialect.name].changed(result)
}

/** An update or a delete; how many rows it changed */
export async function changeRows(
  sql: string,
  bindings: Binding[],
  client: QueryClientContract = db.connection()
): Promise<number> {
  return changedCount(client, await client.rawQuery(sql, asBindings(bindings)))
}

/* `insert into <table> (<columns>) values (?, …), …`, by how duplicates are met, table, columns and row count */
const insertSql = new Map<string, string>()

/* How each dialect leaves out a row whose unique key is already stored */
const IGNORING_DUPLICATES: Record<string, { verb: string; suffix: string }> = {
  'mysql': { verb: 'insert ignore into', suffix: '' },
  'postgres': { verb: 'insert into', suffix: ' on conflict do nothing' },
  'better-sqlite3': { verb: 'insert or ignore into', suffix: '' },
}
const PLAIN = { verb: 'insert into', suffix: '' }

function insertStatement(
  duplicates: { verb: string; suffix: string },
  table: string,
  rows: Record<string, Binding>[]
) {
  const columns = Object.keys(rows[0])
  const key = `${duplicates.verb}${duplicates.suffix}:${table}:${columns.join(',')}:${rows.length}`
  let sql = insertSql.get(key)
  if (sql === undefined) {
    const placeholders = `(${columns.map(() => '?').join(', ')})`
    const values = rows.map(() => placeholders).join(', ')
    sql = `${duplicates.verb} ${table} (${columns.join(', ')}) values ${values}${duplicates.suffix}`
    insertSql.set(key, sql)
  }
  return { sql, bindings: rows.flatMap((row) => columns.map((column) => row[column])) }
}

async function insert(
  duplicates: { verb: string; suffix: string },
  table: string,
  rows: Record<string, Binding>[],
  client: QueryClientContract
): Promise<number> {
  const { sql, bindings } = insertStatement(duplicates, table, rows)
  return changedCount(client, await client.rawQuery(sql, asBindings(bindings)))
}

/** One insert of rows that all have the same keys, in the same order */
export async function insertRows(
  table: string,
  rows: Record<string, Binding>[],
  client: QueryClientContract = db.connection()
) {
  await insert(PLAIN, table, rows, client)
}

/**
 * PostgreSQL only: the rows of two tables in one statement (the first insert
 * in a data-modifying CTE), so in one round trip and one commit.
 */
export async function insertRowsTogether(
  first: { table: string; rows: Record<string, Binding>[] },
  second: { table: string; rows: Record<string, Binding>[] },
  client: QueryClientContract = db.connection()
) {
  const one = insertStatement(PLAIN, first.table, first.rows)
  const two = insertStatement(PLAIN, second.table, second.rows)
  await client.rawQuery(
    `with first_rows as (${one.sql}) ${two.sql}`,
    asBindings([...one.bindings, ...two.bindings])
  )
}

/** An insert that leaves out a row whose unique key is already stored; whether it wrote the row */
export async function insertIgnoringDuplicate(
  table: string,
  row: Record<string, Binding>,
  client: QueryClientContract = db.connection()
): Promise<boolean> {
  return (await insert(IGNORING_DUPLICATES[client.dialect.name], table, [row], client)) === 1
}

type QueuedInsert = {
  rows: Record<string, Binding>[]
  resolve: () => void
  reject: (error: unknown) => void
}

/* SQLite binds at most 32,766 values in one statement */
const MAX_BATCH_ROWS = 500
const queued = new Map<string, QueuedInsert[]>()

async function flush(table: string) {
  const batch = queued.get(table)!
  queued.delete(table)
  for (let start = 0; start < batch.length; start += MAX_BATCH_ROWS) {
    const part = batch.slice(start, start + MAX_BATCH_ROWS)
    try {
      await insertRows(
        table,
        part.flatMap((entry) => entry.rows)
      )
      for (const entry of part) entry.resolve()
    } catch {
      /* the statement wrote nothing; each insert again on its own, so that one bad row fails only its request */
      for (const entry of part)
        await insertRows(table, entry.rows).then(entry.resolve, entry.reject)
    }
  }
}

/**
 * An insert outside any transaction. On SQLite, the inserts that requests
 * make in one turn of the event loop go out as one statement, so one commit:
 * a commit writes every page it changed to the log, and an `oidc_tokens` row
 * changes seven (the table and its indexes), most of them the same pages for
 * every row. MySQL and PostgreSQL commit each insert on its own connection.
 */
export function insertSoon(table: string, rows: Record<string, Binding>[]): Promise<void> {
  if (db.connection().dialect.name !== 'better-sqlite3') return insertRows(table, rows)
  return new Promise((resolve, reject) => {
    const entries = queued.get(table)
    if (entries) return entries.push({ rows, resolve, reject })
    queued.set(table, [{ rows, resolve, reject }])
    setImmediate(() => flush(table))
  })
}

const DELETE_BATCH_SIZE = 1000

/**
 * Deletes the rows matching `condition`, 1,000 at a time so that no statement
 * holds its locks for long; how many were deleted. Selects a batch of ids,
 * then deletes them: MySQL allows no LIMIT in an IN subquery.
 */
export async function deleteInBatches(
  table: string,
  condition: (query: DatabaseQueryBuilderContract) => void
) {
  let deleted = 0
  for (;;) {
    const rows = await db.from(table).where(condition).select('id').limit(DELETE_BATCH_SIZE)
    if (rows.length) {
      const ids = rows.map((row) => row.id)
      deleted += Number(await db.from(table).whereIn('id', ids).delete())
    }
    if (rows.length < DELETE_BATCH_SIZE) return deleted
  }
}

/** Rows changed by a query-builder update, whatever the dialect returns */
export function affectedRows(result: unknown): number {
  return Number(Array.isArray(result) ? result[0] : result)
}
