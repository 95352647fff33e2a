/**
 * A MySQL server that fails on demand, for the fault tests: a scratch
 * database on the machine's MariaDB (migrated, dropped afterwards) reached
 * through a TCP proxy the test controls. The proxy can drop a connection at
 * the moment it carries a COMMIT (the transaction is then rolled back by the
 * server, as on a crash or a full disk), or cut every connection and refuse
 * new ones (the database is down) until it is restored.
 *
 *   const mysql = await faultyMysql()
 *   cleanup(() => mysql.close())
 *   const app = await startApp(mysql.appEnv)
 *   mysql.failCommits = true
 */
import { createServer, connect, type Socket, type Server } from 'node:net'
import type { AddressInfo } from 'node:net'
import mysql from 'mysql2/promise'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import { MigrationRunner } from '@adonisjs/lucid/migration'
import env from '#start/env'

/* A COM_QUERY packet's command byte, then the statement knex ends a transaction with */
const COMMIT = Buffer.from('\x03COMMIT;')

const server = {
  host: env.get('DB_HOST', '127.0.0.1'),
  port: env.get('DB_PORT', 3306),
  user: env.get('DB_USER', 'root'),
  password: env.get('DB_PASSWORD', ''),
}

export type FaultyMysql = {
  /** The connection name of the scratch database in this process */
  connection: string
  /** Environment for an app process that reaches the database through the proxy */
  appEnv: Record<string, string>
  /** Drops each connection at its next COMMIT while true */
  failCommits: boolean
  /** Cuts every connection and refuses new ones */
  cut(): void
  restore(): void
  close(): Promise<void>
}

function listen(proxy: Server) {
  return new Promise<number>((resolve) =>
    proxy.listen(0, '127.0.0.1', () => resolve((proxy.address() as AddressInfo).port))
  )
}

export async function faultyMysql(): Promise<FaultyMysql> {
  const name = `oidc_test_${process.pid}_${Date.now().toString(36)}_fault`
  const admin = await mysql.createConnection(server)
  await admin.query(`CREATE DATABASE \`${name}\``)
  await admin.end()

  db.manager.add(name, {
    client: 'mysql2',
    connection: { ...server, database: name, timezone: 'Z' },
    migrations: { naturalSort: true, paths: ['database/migrations'] },
  })
  /* the database is this test's alone; the advisory lock would be taken and released on different pooled connections */
  const migrations = new MigrationRunner(db, app, {
    direction: 'up',
    connectionName: name,
    disableLocks: true,
  })
  await migrations.run()
  if (migrations.error) throw migrations.error

  const sockets = new Set<Socket>()
  let down = false
  const state = {
    failCommits: false,
  }
  const proxy = createServer((client) => {
    if (down) return client.destroy()
    const upstream = connect(server.port, server.host)
    const pair = [client, upstream]
    const end = () => pair.forEach((socket) => (socket.destroy(), sockets.delete(socket)))
    pair.forEach((socket) => (sockets.add(socket), socket.on('error', end).on('close', end)))
    upstream.pipe(client)
    client.on('data', (chunk: Buffer) => {
      if (state.failCommits && chunk.includes(COMMIT)) return end()
      upstream.write(chunk)
    })
  })
  const port = await listen(proxy)

  return {
    connection: name,
    appEnv: {
      DB_CONNECTION: 'mysql',
      DB_HOST: '127.0.0.1',
      DB_PORT: String(port),
      DB_USER: server.user,
      DB_PASSWORD: server.password,
      DB_DATABASE: name,
    },
    get failCommits() {
      return state.failCommits
    },
    set failCommits(value: boolean) {
      state.failCommits = value
    },
    cut() {
      down = true
      for (const socket of sockets) socket.destroy()
    },
    restore() {
      down = false
    },
    async close() {
      for (const socket of sockets) socket.destroy()
      await new Promise((resolve) => proxy.close(resolve))
      await db.manager.close(name)
      db.manager.release(name)
      const cleanup = await mysql.createConnection(server)
      await cleanup.query(`DROP DATABASE IF EXISTS \`${name}\``)
      await cleanup.end()
    },
  }
}
