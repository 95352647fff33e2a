/**
 * Fixed SQL for the hot paths (token endpoint, userinfo, the API guard).
 * Lucid's query builder costs about 100 µs per query and a model query about
 * 250 µs (measured with SQLite, where the statement itself takes about 10 µs),
 * so these paths send plain SQL and hydrate the rows into models themselves.
 * The SQL is the subset SQLite, MySQL and PostgreSQL read alike (`?`
 * placeholders on all three); what differs is the shape of the drivers'
 * answers, handled here.
 *
 * MySQL and PostgreSQL get the SQL through Lucid's raw queries. On SQLite,
 * outside a Lucid transaction, even a raw query costs about three times the
 * statement (knex's runner, formatter and pool round trip), so the statement
 * runs as a prepared statement on the very connection Lucid's pool manages
 * (database/sqlite_pool.ts): taken from the pool for one synchronous call,
 * or held by a transaction of inSqliteTransaction.
 */
import db from '@adonisjs/lucid/services/db'
import type { QueryClientContract, TransactionClientContract } from '@adonisjs/lucid/types/database'
import type {
  DatabaseQueryBuilderContract,
  RawQueryBindings,
} from '@adonisjs/lucid/types/querybuilder'
import {
  SqliteTransaction,
  sqliteStatements,
  type Binding,
  type SqliteConnection,
} from '#database/sqlite_pool'

export type { Binding }
type Row = Record<string, unknown>
/* Lucid's binding type leaves out null, which every driver binds as NULL */
const asBindings = (values: Binding[]) => values as RawQueryBindings

/** What the statements here run on: a Lucid client, or a transaction on the pool's SQLite connection */
type StatementClient = QueryClientContract | SqliteTransaction

/** A transaction the stores write in: Lucid's, or on SQLite one of inSqliteTransaction's */
export type WriteTransaction = TransactionClientContract | SqliteTransaction

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

export function isSqlite() {
  return db.connection().dialect.name === 'better-sqlite3'
}

/** SQLite, and no Lucid transaction given: the statements may run on the pool's connection */
function leanSqlite(client: StatementClient | undefined) {
  return (!client && isSqlite()) || client instanceof SqliteTransaction
}

/* As knex binds values for better-sqlite3, for a codec that hands over a boolean or a Date */
function sqliteValues(bindings: unknown[]): Binding[] {
  return bindings.map((value) =>
    typeof value === 'boolean' ? Number(value) : value instanceof Date ? value.valueOf() : value
  ) as Binding[]
}

/* knex's `??` binds an identifier: quoted into the text, as knex does for SQLite */
function withIdentifiers(sql: string, bindings: Binding[]): [string, Binding[]] {
  if (!sql.includes('??')) return [sql, bindings]
  const values: Binding[] = []
  let next = 0
  const text = sql.replace(/\?\??/g, (mark) => {
    const value = bindings[next++]
    if (mark === '?') {
      values.push(value)
      return '?'
    }
    return `\`${String(value).replaceAll('`', '``')}\``
  })
  return [text, values]
}

/**
 * One statement on the pool's SQLite connection, or on the transaction's:
 * a select's rows, or what a write changed
 */
async function runOnSqlite(sql: string, bindings: Binding[], client: StatementClient | undefined) {
  const [text, values] = withIdentifiers(sql, sqliteValues(bindings))
  const execute = (connection: SqliteConnection) => {
    const statement = connection.prepare(text)
    return statement.reader ? statement.all(...values) : statement.run(...values)
  }
  return client instanceof SqliteTransaction
    ? execute(client.connection)
    : sqliteStatements(execute)
}

/** The rows of a select */
export async function selectRows<T extends Row = Row>(
  sql: string,
  bindings: Binding[],
  client?: StatementClient
): Promise<T[]> {
  if (leanSqlite(client)) return (await runOnSqlite(sql, bindings, client)) as T[]
  const queryClient = (client as QueryClientContract | undefined) ?? db.connection()
  const result = await queryClient.rawQuery(sql, asBindings(bindings))
  return answers[queryClient.dialect.name].rows(result) as T[]
}

export async function selectRow<T extends Row = Row>(
  sql: string,
  bindings: Binding[],
  client?: StatementClient
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
  client?: StatementClient
): Promise<number> {
  if (leanSqlite(client))
    return ((await runOnSqlite(sql, bindings, client)) as { changes: number }).changes
  const queryClient = (client as QueryClientContract | undefined) ?? db.connection()
  return changedCount(queryClient, await queryClient.rawQuery(sql, asBindings(bindings)))
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
  client?: StatementClient
): Promise<number> {
  const { sql, bindings } = insertStatement(duplicates, table, rows)
  if (leanSqlite(client))
    return ((await runOnSqlite(sql, bindings, client)) as { changes: number }).changes
  const queryClient = (client as QueryClientContract | undefined) ?? db.connection()
  return changedCount(queryClient, await queryClient.rawQuery(sql, asBindings(bindings)))
}

/** One insert of rows that all have the same keys, in the same order */
export async function insertRows(
  table: string,
  rows: Record<string, Binding>[],
  client?: StatementClient
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
  client?: StatementClient
): Promise<boolean> {
  const dialect = (client ?? db.connection()).dialect.name
  return (await insert(IGNORING_DUPLICATES[dialect], table, [row], client)) === 1
}

export type TableRows = { table: string; rows: Record<string, Binding>[] }

/** Rows that ride along with others (audit events): their failure is reported, never the caller's */
export type RowsAlongside = TableRows & { failed(error: unknown): void }

type QueuedInsert = {
  required: TableRows
  alongside?: RowsAlongside
  resolve: () => void
  reject: (error: unknown) => void
}

/* MySQL and PostgreSQL: rows per multi-row insert (PostgreSQL binds at most 65,535 values) */
const MAX_BATCH_ROWS = 500
let queued: QueuedInsert[] = []

function runRows(connection: SqliteConnection, { table, rows }: TableRows) {
  for (const row of rows) {
    const { sql, bindings } = insertStatement(PLAIN, table, [row])
    connection.prepare(sql).run(...sqliteValues(bindings))
  }
}

/**
 * SQLite: the whole batch in one transaction, so one commit, each row
 * through the same prepared single-row statement. Should a row fail, the
 * transaction rolls back and each request's rows are written again in a
 * transaction of their own, so that a bad row fails only its request (and a
 * bad row alongside, nothing but itself).
 */
async function flushOnSqlite(batch: QueuedInsert[]) {
  const outcomes = await sqliteStatements((connection) => {
    try {
      connection.transaction(() => {
        for (const entry of batch) {
          runRows(connection, entry.required)
          if (entry.alongside) runRows(connection, entry.alongside)
        }
      })()
      return null
    } catch {
      return batch.map((entry) => {
        let alongsideError: unknown
        try {
          connection.transaction(() => {
            runRows(connection, entry.required)
            if (!entry.alongside) return
            try {
              connection.transaction(() => runRows(connection, entry.alongside!))()
            } catch (error) {
              alongsideError = error
            }
          })()
        } catch (error) {
          return { error }
        }
        if (alongsideError) entry.alongside!.failed(alongsideError)
        return null
      })
    }
  })
  batch.forEach((entry, index) => {
    const failure = outcomes?.[index]
    if (failure) entry.reject(failure.error)
    else entry.resolve()
  })
}

/**
 * MySQL, PostgreSQL: per table, one multi-row insert (so one commit) per 500
 * rows; should one fail, the statement wrote nothing and each request's rows
 * go again on their own. `settle` hears each entry's outcome.
 */
async function insertGrouped(
  parts: { entry: QueuedInsert; write: TableRows }[],
  settle: (entry: QueuedInsert, error?: unknown) => void
) {
  const byTable = Map.groupBy(parts, (part) => part.write.table)
  for (const [table, group] of byTable) {
    for (let start = 0; start < group.length; start += MAX_BATCH_ROWS) {
      const slice = group.slice(start, start + MAX_BATCH_ROWS)
      try {
        await insertRows(
          table,
          slice.flatMap((part) => part.write.rows)
        )
        for (const part of slice) settle(part.entry)
      } catch {
        for (const part of slice)
          await insertRows(table, part.write.rows).then(
            () => settle(part.entry),
            (error) => settle(part.entry, error)
          )
      }
    }
  }
}

/** The rows each request must have come first, and are answered at once; the rows alongside follow */
async function flushOnServer(batch: QueuedInsert[]) {
  const written: QueuedInsert[] = []
  await insertGrouped(
    batch.map((entry) => ({ entry, write: entry.required })),
    (entry, error) => {
      if (error) return entry.reject(error)
      entry.resolve()
      written.push(entry)
    }
  )
  await insertGrouped(
    written.filter((entry) => entry.alongside).map((entry) => ({ entry, write: entry.alongside! })),
    (entry, error) => error && entry.alongside!.failed(error)
  )
}

function flush() {
  const batch = queued
  queued = []
  const write = isSqlite() ? flushOnSqlite : flushOnServer
  write(batch).catch((error) =>
    batch.forEach((entry) => {
      entry.reject(error)
      entry.alongside?.failed(error)
    })
  )
}

/**
 * Inserts outside any transaction, committed together with the inserts
 * other requests make in the same turn of the event loop (group commit): one
 * commit writes and syncs the log once for all of them, and an `oidc_tokens`
 * row changes seven pages (the table and its indexes), mostly the same ones
 * for every row. The promise settles once the `required` rows are committed
 * (or failed), so nothing is answered before its rows are stored. Rows
 * `alongside` go in the same commit where the database allows (SQLite),
 * else right after; their failure goes to their own `failed`. Rows of one
 * table share their keys, in the same order.
 */
export function insertSoon(required: TableRows, alongside?: RowsAlongside): Promise<void> {
  return new Promise((resolve, reject) => {
    queued.push({ required, alongside, resolve, reject })
    if (queued.length === 1) setImmediate(flush)
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
