/**
 * Preloaded (`node --import`) into our server for the query-count run only:
 * appends every SQL statement the database drivers execute to
 * $BENCH_QUERY_LOG, one line each, without touching the app. better-sqlite3
 * statements are counted when run (the app caches prepared ones), mysql2 and
 * node-postgres ones when sent through Connection#query and Client#query (what
 * knex uses); transaction BEGIN and COMMIT included.
 */
import { appendFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'

const file = process.env.BENCH_QUERY_LOG
const require = createRequire(path.join(process.cwd(), 'package.json'))
const log = (sql) => appendFileSync(file, `${String(sql).replace(/\s+/g, ' ').trim()}\n`)

const Sqlite = require('better-sqlite3')
const probe = new Sqlite(':memory:')
const Statement = Object.getPrototypeOf(probe.prepare('SELECT 1'))
probe.close()
for (const method of ['run', 'get', 'all', 'iterate']) {
  const original = Statement[method]
  Statement[method] = function (...args) {
    log(this.source)
    return original.apply(this, args)
  }
}

const { Connection } = require('mysql2')
const query = Connection.prototype.query
Connection.prototype.query = function (sql, ...rest) {
  log(typeof sql === 'object' && sql !== null ? sql.sql : sql)
  return query.call(this, sql, ...rest)
}

const { Client } = require('pg')
const clientQuery = Client.prototype.query
Client.prototype.query = function (config, ...rest) {
  log(typeof config === 'object' && config !== null ? config.text : config)
  return clientQuery.call(this, config, ...rest)
}
