/**
 * Per-connection set-up of the embedded SQLite database (better-sqlite3).
 */
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
type Statement = unknown
type SqliteConnection = { pragma(source: string): unknown; prepare(sql: string): Statement }

/* Distinct SQL texts are few (the queries are built from fixed shapes); the bound keeps odd ones from piling up */
const STATEMENT_CACHE_SIZE = 500

export function tuneSqliteConnection(connection: SqliteConnection) {
  /*
   * WAL: readers never wait for the writer, and a commit appends to the log
   * instead of syncing the rollback journal and the database file (the
   * default costs an fsync per token issued). Several processes on one host
   * may share the file.
   */
  connection.pragma('journal_mode = WAL')
  connection.pragma('synchronous = NORMAL')
  /*
   * A checkpoint copies the log back into the database file and syncs it,
   * inside some request's commit. Every 10,000 pages (40 MB) instead of
   * SQLite's 1,000, it runs a tenth as often and copies a page rewritten
   * many times in between (the tables' and indexes' newest pages) once:
   * a token row costs a third less. The log is cut back to 64 MB after.
   */
  connection.pragma('wal_autocheckpoint = 10000')
  connection.pragma('journal_size_limit = 67108864')

  /*
   * knex prepares every query anew, which the profile of the token endpoint
   * showed as its largest single cost. Statements are reusable with new
   * bindings, and SQLite re-prepares one by itself if the schema changes.
   */
  const prepare = connection.prepare.bind(connection)
  const statements = new Map<string, Statement>()
  connection.prepare = (sql: string) => {
    let statement = statements.get(sql)
    if (statement === undefined) {
      statement = prepare(sql)
      if (statements.size >= STATEMENT_CACHE_SIZE)
        statements.delete(statements.keys().next().value!)
      statements.set(sql, statement)
    }
    return statement
  }
}

/**
 * The database file's path, its folder created if missing: a fresh
 * production build has no tmp/. A folder that cannot be made (a read-only
 * tree that uses another database) is left to SQLite to report if it is used.
 */
export function sqliteFile(path: string) {
  try {
    mkdirSync(dirname(path), { recursive: true })
  } catch {}
  return path
}
