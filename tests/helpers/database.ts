import mysql from 'mysql2/promise'
import env from '#start/env'

/*
 * On MySQL a run creates its own database (named in bin/test.ts) and drops
 * only that one afterwards; SQLite runs use their own file.
 */
async function serverConnection() {
  return mysql.createConnection({
    host: env.get('DB_HOST', '127.0.0.1'),
    port: env.get('DB_PORT', 3306),
    user: env.get('DB_USER', 'root'),
    password: env.get('DB_PASSWORD', ''),
  })
}

function testDatabaseName() {
  const name = env.get('DB_DATABASE', '')
  if (!/^oidc_test_[a-z0-9_]+$/.test(name)) throw new Error(`refusing to manage database "${name}"`)
  return name
}

export async function createTestDatabase() {
  if (env.get('DB_CONNECTION') !== 'mysql') return
  const connection = await serverConnection()
  await connection.query(`CREATE DATABASE \`${testDatabaseName()}\``)
  await connection.end()
}

export async function dropTestDatabase() {
  if (env.get('DB_CONNECTION') !== 'mysql') return
  const connection = await serverConnection()
  await connection.query(`DROP DATABASE IF EXISTS \`${testDatabaseName()}\``)
  await connection.end()
}
