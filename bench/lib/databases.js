/**
 * The bench's own database for our app, one per run: a SQLite file beside the
 * copy of the build, or a database `oidc_bench_<pid>` on MySQL/MariaDB
 * (root@127.0.0.1:3306) or PostgreSQL (postgres@127.0.0.1:5432). Each can
 * insert rows directly (the refresh token pool), fill oidc_tokens in one
 * statement (the growth scenario), count them and drop itself; `serverPids`
 * are the database server's processes, which work for ours under load.
 */
import { readFileSync, rmSync } from 'node:fs'
import path from 'node:path'

/** UTC wall-clock text, as the app writes times in hand-written SQL */
export function sqlTime(date = new Date()) {
  return date.toISOString().slice(0, 19).replace('T', ' ')
}

/** The app's settings for a database server on loopback */
function serverEnv(connection, port, user, database) {
  return {
    DB_CONNECTION: connection,
    DB_HOST: '127.0.0.1',
    DB_PORT: String(port),
    DB_USER: user,
    DB_DATABASE: database,
  }
}

async function sqliteDatabase(dir) {
  const relative = `tmp/bench-${process.pid}.sqlite3`
  const file = path.join(dir, relative)
  const { default: Sqlite } = await import('better-sqlite3')
  let handle = null
  const open = () => (handle ??= new Sqlite(file))
  return {
    kind: 'sqlite',
    serverPids: [],
    env: { DB_CONNECTION: 'sqlite', SQLITE_PATH: relative },
    async insertRows(table, rows) {
      const columns = Object.keys(rows[0])
      const statement = open().prepare(
        `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`
      )
      open().transaction(() =>
        rows.forEach((row) => statement.run(...columns.map((c) => row[c])))
      )()
    },
    async fillTokens(count, clientId) {
      const now = new Date()
      open()
        .prepare(
          `WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < ?)
           INSERT INTO oidc_tokens (type, hash, client_id, family_id, scopes, created_at, expires_at)
           SELECT 'at', lower(hex(randomblob(32))), ?, substr(lower(hex(randomblob(11))), 1, 22), '', ?, ? FROM seq`
        )
        .run(count, clientId, sqlTime(now), sqlTime(new Date(now.getTime() + 3600_000)))
    },
    async countTokens() {
      return open().prepare('SELECT COUNT(*) AS n FROM oidc_tokens').get().n
    },
    async close() {
      handle?.close()
      handle = null
    },
    async drop() {
      await this.close()
      for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(file + suffix, { force: true })
    },
  }
}

async function mysqlDatabase() {
  const mysql = await import('mysql2/promise')
  const name = `oidc_bench_${process.pid}`
  const admin = await mysql.createConnection({ host: '127.0.0.1', port: 3306, user: 'root' })
  await admin.query(`CREATE DATABASE \`${name}\``)
  const [[{ pidFile }]] = await admin.query('SELECT @@pid_file AS pidFile')
  await admin.end()
  let handle = null
  const open = async () =>
    (handle ??= await mysql.createConnection({
      host: '127.0.0.1',
      port: 3306,
      user: 'root',
      database: name,
    }))
  return {
    kind: 'mysql',
    /* the MySQL server works for ours under load: its CPU is not someone else's */
    serverPids: [Number(readFileSync(pidFile, 'utf8').trim())],
    env: serverEnv('mysql', 3306, 'root', name),
    async insertRows(table, rows) {
      const connection = await open()
      const columns = Object.keys(rows[0])
      await connection.beginTransaction()
      for (let i = 0; i < rows.length; i += 1000) {
        const batch = rows.slice(i, i + 1000).map((row) => columns.map((c) => row[c]))
        await connection.query(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ?`, [batch])
      }
      await connection.commit()
    },
    /* ten digits joined six times: up to a million rows from one statement, on MySQL and MariaDB alike */
    async fillTokens(count, clientId) {
      const connection = await open()
      const now = new Date()
      const digits =
        '(SELECT 0 d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9)'
      const joined = ['a', 'b', 'c', 'd', 'e', 'f']
        .map((alias) => `${digits} ${alias}`)
        .join(' CROSS JOIN ')
      await connection.beginTransaction()
      await connection.query(
        `INSERT INTO oidc_tokens (type, hash, client_id, family_id, scopes, created_at, expires_at)
         SELECT 'at', SHA2(CONCAT(UUID(), RAND()), 256), ?, LEFT(MD5(UUID()), 22), '', ?, ? FROM ${joined} LIMIT ?`,
        [clientId, sqlTime(now), sqlTime(new Date(now.getTime() + 3600_000)), count]
      )
      await connection.commit()
    },
    async countTokens() {
      const [rows] = await (await open()).query('SELECT COUNT(*) AS n FROM oidc_tokens')
      return Number(rows[0].n)
    },
    async close() {
      await handle?.end()
      handle = null
    },
    async drop() {
      await this.close()
      const connection = await mysql.createConnection({
        host: '127.0.0.1',
        port: 3306,
        user: 'root',
      })
      await connection.query(`DROP DATABASE IF EXISTS \`${name}\``)
      await connection.end()
    },
  }
}

/** The parent of a process (for a PostgreSQL backend: the postmaster, whose children serve every connection) */
function parentPid(pid) {
  return Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')[1])
}

async function postgresDatabase() {
  const { default: pg } = await import('pg')
  const name = `oidc_bench_${process.pid}`
  const server = { host: '127.0.0.1', port: 5432, user: 'postgres' }
  const admin = new pg.Client({ ...server, database: 'postgres' })
  await admin.connect()
  await admin.query(`CREATE DATABASE "${name}"`)
  const {
    rows: [{ pid }],
  } = await admin.query('SELECT pg_backend_pid() AS pid')
  /* read while the backend lives */
  const postmaster = parentPid(pid)
  await admin.end()
  let handle = null
  const open = async () => {
    if (handle) return handle
    handle = new pg.Client({ ...server, database: name })
    await handle.connect()
    /* sqlTime text is UTC, as in the app's connections */
    await handle.query("SET TIME ZONE 'UTC'")
    return handle
  }
  return {
    kind: 'postgres',
    /* the postmaster; its backends are its children (bench/lib/load.js counts them too) */
    serverPids: [postmaster],
    env: serverEnv('postgres', 5432, 'postgres', name),
    async insertRows(table, rows) {
      const connection = await open()
      const columns = Object.keys(rows[0])
      await connection.query('BEGIN')
      for (let i = 0; i < rows.length; i += 1000) {
        const batch = rows.slice(i, i + 1000)
        const values = batch.map(
          (_, row) =>
            `(${columns.map((_c, column) => `$${row * columns.length + column + 1}`).join(', ')})`
        )
        await connection.query(
          `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${values.join(', ')}`,
          batch.flatMap((row) => columns.map((c) => row[c]))
        )
      }
      await connection.query('COMMIT')
    },
    async fillTokens(count, clientId) {
      const now = new Date()
      await (
        await open()
      ).query(
        `INSERT INTO oidc_tokens (type, hash, client_id, family_id, scopes, created_at, expires_at)
         SELECT 'at', encode(sha256(convert_to(gen_random_uuid()::text, 'UTF8')), 'hex'), $1,
                left(md5(gen_random_uuid()::text), 22), '', $2, $3
         FROM generate_series(1, $4)`,
        [clientId, sqlTime(now), sqlTime(new Date(now.getTime() + 3600_000)), count]
      )
    },
    async countTokens() {
      const { rows } = await (await open()).query('SELECT COUNT(*) AS n FROM oidc_tokens')
      return Number(rows[0].n)
    },
    async close() {
      await handle?.end()
      handle = null
    },
    async drop() {
      await this.close()
      const connection = new pg.Client({ ...server, database: 'postgres' })
      await connection.connect()
      await connection.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)
      await connection.end()
    },
  }
}

/** A database of this run's own; `dir` is the copy of the build, which holds the SQLite file */
export function createDatabaseIn(kind, dir) {
  if (kind === 'sqlite') return sqliteDatabase(dir)
  if (kind === 'mysql') return mysqlDatabase()
  if (kind === 'postgres') return postgresDatabase()
  throw new Error(`no database kind ${kind}`)
}
