import mysql from 'mysql2/promise'
import pg from 'pg'
import env from '#start/env'

/*
 * On MySQL and PostgreSQL a run creates its own database (named in
 * bin/test.ts) and drops only that one afterwards; SQLite runs use their own
 * file.
 */
type ServerConnection = { query(sql: string): Promise<unknown>; end(): Promise<void> }

const servers = {
  mysql: {
    connect: (): Promise<ServerConnection> =>
      mysql.createConnection({
        host: env.get('DB_HOST', '127.0.0.1'),
        port: env.get('DB_PORT', 3306),
        user: env.get('DB_USER', 'root'),
        password: env.get('DB_PASSWORD', ''),
      }),
    create: (name: string) => [`CREATE DATABASE \`${name}\``],
    drop: (name: string) => [`DROP DATABASE IF EXISTS \`${name}\``],
  },
  postgres: {
    async connect(): Promise<ServerConnection> {
      const client = new pg.Client({
        host: env.get('DB_HOST', '127.0.0.1'),
        port: env.get('DB_PORT', 5432),
        user: env.get('DB_USER', 'postgres'),
        password: env.get('DB_PASSWORD', ''),
        database: 'postgres',
      })
      await client.connect()
      return client
    },
    /*
     * A zone far from UTC, with a half-hour offset: the app must not depend
     * on the server's time zone (see database/postgres_connection.ts)
     */
    create: (name: string) => [
      `CREATE DATABASE "${name}"`,
      `ALTER DATABASE "${name}" SET timezone TO 'Asia/Kolkata'`,
    ],
    /* the app's own pool is still open when the run drops its database */
    drop: (name: string) => [`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`],
  },
}

function testDatabaseName() {
  const name = env.get('DB_DATABASE', '')
  if (!/^oidc_test_[a-z0-9_]+$/.test(name)) throw new Error(`refusing to manage database "${name}"`)
  return name
}

function testServer() {
  const connection = env.get('DB_CONNECTION', 'sqlite')
  return connection === 'sqlite' ? null : servers[connection]
}

type Server = (typeof servers)[keyof typeof servers]

async function run(server: Server, statements: string[]) {
  const connection = await server.connect()
  try {
    for (const sql of statements) await connection.query(sql)
  } finally {
    await connection.end()
  }
}

export async function createTestDatabase() {
  const server = testServer()
  if (server) await run(server, server.create(testDatabaseName()))
}

export async function dropTestDatabase() {
  const server = testServer()
  if (server) await run(server, server.drop(testDatabaseName()))
}

/** True when the run's database is a file of its own (SQLite) */
export function usesDatabaseFile() {
  return testServer() === null
}
