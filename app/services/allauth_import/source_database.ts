/**
 * The allauth site's Django database, read directly through a Lucid
 * connection of its own (never the app's): SQLite opened read-only, MySQL or
 * PostgreSQL. Everything is read inside one transaction, so users, addresses,
 * clients and tokens come from one snapshot while the site keeps running.
 */
import { existsSync } from 'node:fs'
import { isAbsolute } from 'node:path'
import db from '@adonisjs/lucid/services/db'
import type { ConnectionConfig, QueryClientContract } from '@adonisjs/lucid/types/database'
import { ImportInputError } from '#services/allauth_import/import_errors'

export type SourceDialect = 'sqlite' | 'mysql' | 'postgres'

export type SourceLocation = {
  dialect: SourceDialect
  /** What the report shows: the file, or host/database without credentials */
  label: string
  config: ConnectionConfig
}

const DIALECTS: Record<string, SourceDialect> = {
  'sqlite:': 'sqlite',
  'mysql:': 'mysql',
  'mariadb:': 'mysql',
  'postgres:': 'postgres',
  'postgresql:': 'postgres',
}

const USAGE =
  'give the source as sqlite:///absolute/path/db.sqlite3, mysql://user:pass@host:port/db or postgres://user:pass@host:port/db'

function sqliteLocation(url: URL): SourceLocation {
  /* sqlite:///abs/path and dj-database-url's sqlite:////abs/path both name /abs/path */
  const filename = decodeURIComponent(url.pathname).replace(/^\/+/, '/')
  if (url.host || !isAbsolute(filename) || filename === '/') throw new ImportInputError(USAGE)
  if (!existsSync(filename)) throw new ImportInputError(`no SQLite database at ${filename}`)
  return {
    dialect: 'sqlite',
    label: filename,
    config: {
      client: 'better-sqlite3',
      connection: { filename, options: { readonly: true } } as { filename: string },
      useNullAsDefault: true,
    },
  }
}

function serverLocation(url: URL, dialect: 'mysql' | 'postgres'): SourceLocation {
  const database = decodeURIComponent(url.pathname.slice(1))
  if (!url.hostname || !database || database.includes('/')) throw new ImportInputError(USAGE)
  const label = `${url.hostname}:${url.port || (dialect === 'mysql' ? 3306 : 5432)}/${database}`
  if (dialect === 'postgres') {
    /* the full URL, so that libpq parameters such as ?sslmode=require apply */
    return { dialect, label, config: { client: 'pg', connection: { connectionString: url.href } } }
  }
  const connection = {
    host: url.hostname,
    port: url.port ? Number(url.port) : 3306,
    user: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
    database,
    /* Django stores UTC; reading DATETIME as text keeps the driver from applying a time zone */
    dateStrings: true,
  }
  return { dialect, label, config: { client: 'mysql2', connection } }
}

export function parseSourceUrl(value: string): SourceLocation {
  if (!URL.canParse(value)) throw new ImportInputError(USAGE)
  const url = new URL(value)
  const dialect = DIALECTS[url.protocol]
  if (!dialect) throw new ImportInputError(USAGE)
  return dialect === 'sqlite' ? sqliteLocation(url) : serverLocation(url, dialect)
}

/** Every table of the source with its columns */
const COLUMNS_SQL: Record<SourceDialect, string> = {
  sqlite:
    "select m.name as table_name, p.name as column_name from sqlite_master m, pragma_table_info(m.name) p where m.type = 'table'",
  mysql:
    'select table_name as table_name, column_name as column_name from information_schema.columns where table_schema = database()',
  postgres:
    'select table_name, column_name from information_schema.columns where table_schema = current_schema()',
}

export type SourceColumns = Map<string, Set<string>>

let opened = 0

/**
 * Opens the source, reads it with `read` inside one read-only snapshot and
 * closes it. Any failure to reach or read it becomes one line.
 */
export async function readSource<T>(
  location: SourceLocation,
  read: (client: QueryClientContract, columns: SourceColumns) => Promise<T>
): Promise<T> {
  const name = `allauth_source_${++opened}`
  db.manager.add(name, location.config)
  try {
    const connection = db.connection(name)
    const trx = await connection.transaction(
      location.dialect === 'sqlite' ? {} : { isolationLevel: 'repeatable read' }
    )
    try {
      const rows = rowsOf(await trx.rawQuery(COLUMNS_SQL[location.dialect]), location.dialect)
      const columns: SourceColumns = new Map()
      for (const { table_name: table, column_name: column } of rows) {
        if (!columns.has(table)) columns.set(table, new Set())
        columns.get(table)!.add(column)
      }
      return await read(trx, columns)
    } finally {
      await trx.rollback()
    }
  } catch (error) {
    if (error instanceof ImportInputError) throw error
    throw new ImportInputError(
      `cannot read the source database ${location.label}: ${(error as Error).message.split('\n')[0]}`
    )
  } finally {
    await db.manager.release(name)
  }
}

/** Raw query results: rows for SQLite, `[rows]` for mysql2, `{ rows }` for pg */
function rowsOf(result: any, dialect: SourceDialect): Record<string, string>[] {
  if (dialect === 'mysql') return result[0]
  if (dialect === 'postgres') return result.rows
  return result
}
