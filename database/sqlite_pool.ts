/**
 * The SQLite connection of Lucid's pool, used directly on the hot paths.
 * better-sqlite3 runs a statement synchronously, so the connection is taken
 * from the pool only for as long as the work needs it: a transaction in
 * progress holds it, so nothing here ever runs inside someone else's.
 */
import db from '@adonisjs/lucid/services/db'

export type Binding = string | number | null
type Row = Record<string, unknown>

type SqliteStatement = {
  reader: boolean
  all(...bindings: Binding[]): Row[]
  run(...bindings: Binding[]): { changes: number }
}
/* better-sqlite3's Database: `prepare` is cached per connection (database/sqlite_connection.ts) */
export type SqliteConnection = {
  prepare(sql: string): SqliteStatement
  transaction<F extends (...args: never[]) => unknown>(fn: F): F
  readonly inTransaction: boolean
}
type KnexClient = {
  acquireConnection(): Promise<unknown>
  releaseConnection(connection: unknown): Promise<unknown>
}

/** Runs `use` with the pool's connection, given back once `use` has settled */
async function withSqliteConnection<T>(
  use: (connection: SqliteConnection) => T
): Promise<Awaited<T>> {
  const knex = db.connection().getWriteClient() as unknown as { client: KnexClient }
  const connection = await knex.client.acquireConnection()
  try {
    return await use(connection as SqliteConnection)
  } finally {
    await knex.client.releaseConnection(connection)
  }
}

/** Synchronous statements on the pool's connection */
export function sqliteStatements<T>(use: (connection: SqliteConnection) => T): Promise<T> {
  return withSqliteConnection(use) as Promise<T>
}

/**
 * A transaction on the pool's connection without knex (inSqliteTransaction):
 * what the hot-path statements (database/statements.ts) take in place of a
 * Lucid transaction.
 */
export class SqliteTransaction {
  readonly dialect = { name: 'better-sqlite3' } as const
  #afterCommit: (() => void)[] = []

  constructor(readonly connection: SqliteConnection) {}

  after(_event: 'commit', callback: () => void) {
    this.#afterCommit.push(callback)
  }

  committed() {
    for (const callback of this.#afterCommit) callback()
  }
}

type Job = {
  body: (trx: SqliteTransaction) => Promise<unknown>
  resolve: (value: unknown) => void
  reject: (error: unknown) => void
}
let jobs: Job[] = []

const run = (connection: SqliteConnection, sql: string) => connection.prepare(sql).run()

/**
 * The transactions asked for in one turn of the event loop, as savepoints of
 * one transaction: one commit, and no knex transaction (whose set-up and
 * promise hops cost more than the statements). A job that throws is rolled
 * back to its savepoint and fails alone; a failed commit fails them all.
 * The bodies run one after another, holding the connection: they may only
 * use the statements of database/statements.ts with the transaction given.
 */
async function runJobs() {
  const batch = jobs
  jobs = []
  const outcomes: ({ value: unknown } | { error: unknown })[] = []
  const committed: SqliteTransaction[] = []
  try {
    await withSqliteConnection(async (connection) => {
      /* IMMEDIATE: the write lock first, so another process makes this wait (busy timeout), never fail */
      run(connection, 'begin immediate')
      try {
        for (const job of batch) {
          const trx = new SqliteTransaction(connection)
          run(connection, 'savepoint job')
          try {
            outcomes.push({ value: await job.body(trx) })
            committed.push(trx)
          } catch (error) {
            run(connection, 'rollback to job')
            outcomes.push({ error })
          }
          run(connection, 'release job')
        }
        run(connection, 'commit')
      } catch (error) {
        if (connection.inTransaction) run(connection, 'rollback')
        throw error
      }
    })
  } catch (error) {
    for (const job of batch) job.reject(error)
    return
  }
  for (const trx of committed) trx.committed()
  batch.forEach((job, index) => {
    const outcome = outcomes[index]
    if ('error' in outcome) job.reject(outcome.error)
    else job.resolve(outcome.value)
  })
}

/** `body` in a transaction on the pool's connection, committed with those of the same turn */
export function inSqliteTransaction<T>(body: (trx: SqliteTransaction) => Promise<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    jobs.push({ body, resolve: resolve as (value: unknown) => void, reject })
    if (jobs.length === 1) setImmediate(runJobs)
  })
}
