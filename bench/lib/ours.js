/**
 * Our app from its production build: the build, copied to a directory of this
 * run's own (others rebuild build/ on this machine while a run goes on) and
 * run standalone through a node_modules symlink to the project's modules
 * instead of `npm ci --omit=dev`; a database of the bench's own; setup through
 * the ace commands; server start and stop; direct rows for the refresh token
 * pool and the growth scenario.
 */
import { execFile, spawn } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs'
import { createHash, randomBytes } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { promisify } from 'node:util'
import path from 'node:path'
import { REDIRECT_URI, request } from './signin.js'

export const APP_ROOT = path.resolve(import.meta.dirname, '../..')
const BUILD = path.join(APP_ROOT, 'build')
/* The copy of build/ this run serves from; set by copyBuild() */
let appDir = null
const NODE = process.execPath
const execFileAsync = promisify(execFile)

export const BENCH_USER = {
  email: 'ada@example.com',
  username: 'ada',
  firstName: 'Ada',
  lastName: 'Lovelace',
  password: 'correct horse battery',
}
const TOKEN_SCOPES = ['openid', 'profile', 'email']

/*
 * The limiter stays on (memory store) with limits no benchmark reaches: one
 * IP signs in thousands of times a minute here.
 */
const RATE_LIMITS = { login: '100000000/m/ip', login_failed: '100000000/m/ip,100000000/5m/key' }

export async function buildApp() {
  await execFileAsync(NODE, ['ace', 'build'], { cwd: APP_ROOT, maxBuffer: 64 * 2 ** 20 })
}

/** Copies build/ (without its node_modules and tmp) to tmp/bench-<pid>/; returns a function that removes the copy */
export function copyBuild() {
  if (!existsSync(path.join(BUILD, 'bin/server.js')))
    throw new Error('no production build in build/; run without --no-build')
  const runDir = path.join(APP_ROOT, `tmp/bench-${process.pid}`)
  appDir = path.join(runDir, 'app')
  cpSync(BUILD, appDir, {
    recursive: true,
    filter: (source) => !/^(node_modules|tmp)(\/|$)/.test(path.relative(BUILD, source)),
  })
  symlinkSync(path.join(APP_ROOT, 'node_modules'), path.join(appDir, 'node_modules'))
  mkdirSync(path.join(appDir, 'tmp'))
  return () => rmSync(runDir, { recursive: true, force: true })
}

function sqlTime(date = new Date()) {
  return date.toISOString().slice(0, 19).replace('T', ' ')
}

/** A database of this run's own: a SQLite file in build/tmp, or a MySQL database `oidc_bench_<pid>` */
export async function createDatabase(kind) {
  if (kind === 'sqlite') {
    const relative = `tmp/bench-${process.pid}.sqlite3`
    const file = path.join(appDir, relative)
    const { default: Sqlite } = await import('better-sqlite3')
    let handle = null
    const open = () => (handle ??= new Sqlite(file))
    return {
      kind,
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
        for (const suffix of ['', '-wal', '-shm', '-journal'])
          rmSync(file + suffix, { force: true })
      },
    }
  }

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
    kind,
    /* the MySQL server works for ours under load: its CPU is not someone else's */
    serverPids: [Number(readFileSync(pidFile, 'utf8').trim())],
    env: {
      DB_CONNECTION: 'mysql',
      DB_HOST: '127.0.0.1',
      DB_PORT: '3306',
      DB_USER: 'root',
      DB_DATABASE: name,
    },
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

/** The environment of the server and of the ace commands for one configuration */
export function ourEnv({ port, database, appKey, format, alg, limiterStore = 'memory' }) {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'production',
    PORT: String(port),
    HOST: '127.0.0.1',
    APP_KEY: appKey,
    APP_URL: `http://127.0.0.1:${port}`,
    SESSION_DRIVER: 'cookie',
    LIMITER_STORE: limiterStore,
    LOG_LEVEL: 'warn',
    /* the README's production command: see SERVER_NODE_ARGS */
    MALLOC_ARENA_MAX: '2',
    ...database.env,
    IDP_OIDC_ACCESS_TOKEN_FORMAT: format,
    IDP_OIDC_SIGNING_ALG: alg,
    /* every sign-in shows the consent page, as the peer's does for each new session */
    IDP_OIDC_CONSENT_EXPIRES_IN: '0',
    IDP_OIDC_RATE_LIMITS: JSON.stringify(RATE_LIMITS),
  }
}

async function aceJson(env, args) {
  const { stdout } = await execFileAsync(NODE, ['ace', ...args], {
    cwd: appDir,
    env,
    maxBuffer: 16 * 2 ** 20,
  })
  const last = stdout.trim().split('\n').pop()
  return last ? JSON.parse(last) : null
}

/** Migrations, then the client, the user and one signing key of each type, through the ace commands */
export async function setupApp(env) {
  await execFileAsync(NODE, ['ace', 'migration:run', '--force'], { cwd: appDir, env })
  const client = await aceJson(env, [
    'client:create',
    '--name',
    'bench',
    '--grant-types',
    'client_credentials authorization_code refresh_token',
    '--redirect-uris',
    REDIRECT_URI,
    '--scopes',
    TOKEN_SCOPES.join(' '),
    '--json',
  ])
  const user = await aceJson(env, [
    'user:create',
    '--email',
    BENCH_USER.email,
    '--password',
    BENCH_USER.password,
    '--username',
    BENCH_USER.username,
    '--first-name',
    BENCH_USER.firstName,
    '--last-name',
    BENCH_USER.lastName,
    '--verified',
    '--json',
  ])
  for (const alg of ['RS256', 'ES256'])
    await aceJson(env, ['keys:generate', '--alg', alg, '--now', '--json'])
  return { clientId: client.id, clientSecret: client.secret, userId: user.id }
}

/** Refresh tokens as a sign-in leaves them (one family each), stored as the app stores them: SHA-256 of the value */
export async function mintRefreshTokens(database, { clientId, userId }, count) {
  const values = []
  const rows = []
  const now = new Date()
  for (let i = 0; i < count; i++) {
    const value = randomBytes(64).toString('base64url')
    values.push(value)
    rows.push({
      type: 'rt',
      hash: createHash('sha256').update(value).digest('hex'),
      client_id: clientId,
      user_id: userId,
      family_id: randomBytes(16).toString('base64url'),
      scopes: TOKEN_SCOPES.join('\n'),
      auth_time: Math.floor(now.getTime() / 1000),
      created_at: sqlTime(now),
    })
  }
  await database.insertRows('oidc_tokens', rows)
  return values
}

/** A child's last output, for the error message when it fails */
function tail(child) {
  let text = ''
  const keep = (chunk) => (text = (text + chunk).slice(-4000))
  child.stdout?.on('data', keep)
  child.stderr?.on('data', keep)
  return () => text
}

export async function stopChild(child) {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise((resolve) => child.once('exit', resolve))
  child.kill('SIGTERM')
  /* requests still queued when a load ends are served first */
  const timedOut = await Promise.race([exited.then(() => false), sleep(60_000).then(() => true)])
  if (timedOut) {
    child.kill('SIGKILL')
    await exited
  }
}

/** Starts bin/server.js of the build; ready when discovery answers */
/*
 * The README's production command line: a 4 MB young generation keeps RSS
 * under load about 50 MB lower at the same throughput, and MALLOC_ARENA_MAX=2
 * (in ourEnv) stops each libuv thread from keeping its own malloc arena of
 * freed scrypt buffers (sign-in load: 262 → 212 MB in a quick run)
 */
const SERVER_NODE_ARGS = ['--max-semi-space-size=4']

export async function startOurs(env, { nodeArgs = [] } = {}) {
  const child = spawn(NODE, [...SERVER_NODE_ARGS, ...nodeArgs, 'bin/server.js'], {
    cwd: appDir,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const output = tail(child)
  const origin = env.APP_URL
  const deadline = Date.now() + 30_000
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`our server exited with ${child.exitCode}:\n${output()}`)
    const ready = await request(`${origin}/.well-known/openid-configuration`).then(
      (r) => r.status === 200,
      () => false
    )
    if (ready) return { pid: child.pid, origin, output, stop: () => stopChild(child) }
    await sleep(200)
  }
  await stopChild(child)
  throw new Error(`our server did not answer within 30 s:\n${output()}`)
}
