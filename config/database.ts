import env from '#start/env'
import app from '@adonisjs/core/services/app'
import { defineConfig } from '@adonisjs/lucid'
import { sqliteFile, tuneSqliteConnection } from '#database/sqlite_connection'
import { poolLog } from '#database/pool_log'
import '#database/failed_commits'
import { tunePostgresConnection } from '#database/postgres_connection'

/*
 * SQLite is the embedded default (a fresh clone runs without a server);
 * MySQL (or MariaDB) through mysql2 and PostgreSQL through pg are the
 * production choices. Models are written by hand (app/models), so schema
 * generation is off.
 */
const migrations = { naturalSort: true, paths: ['database/migrations'] }
/* knex's `log` option, which Lucid passes on but does not type */
const quietPool = { log: poolLog() }

const dbConfig = defineConfig({
  connection: env.get('DB_CONNECTION', 'sqlite'),
  prettyPrintDebugQueries: false,
  connections: {
    sqlite: {
      client: 'better-sqlite3',
      connection: { filename: sqliteFile(app.makePath(env.get('SQLITE_PATH', 'tmp/db.sqlite3'))) },
      useNullAsDefault: true,
      pool: {
        afterCreate(
          connection: Parameters<typeof tuneSqliteConnection>[0],
          done: (error: Error | null, connection: unknown) => void
        ) {
          tuneSqliteConnection(connection)
          done(null, connection)
        },
      },
      migrations,
      ...quietPool,
      schemaGeneration: { enabled: false },
    },
    mysql: {
      client: 'mysql2',
      connection: {
        host: env.get('DB_HOST', '127.0.0.1'),
        port: env.get('DB_PORT', 3306),
        user: env.get('DB_USER', 'root'),
        password: env.get('DB_PASSWORD', ''),
        database: env.get('DB_DATABASE', 'oidc'),
        timezone: 'Z',
        dateStrings: false,
      },
      pool: { min: 0, max: 10 },
      migrations,
      ...quietPool,
      schemaGeneration: { enabled: false },
    },
    postgres: {
      client: 'pg',
      connection: {
        host: env.get('DB_HOST', '127.0.0.1'),
        port: env.get('DB_PORT', 5432),
        user: env.get('DB_USER', 'postgres'),
        password: env.get('DB_PASSWORD', ''),
        database: env.get('DB_DATABASE', 'oidc'),
      },
      pool: { min: 0, max: 10, afterCreate: tunePostgresConnection },
      migrations,
      schemaGeneration: { enabled: false },
    },
  },
})

export default dbConfig
