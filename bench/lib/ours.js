/**
 * Our app from its production build: the build, copied to a directory of this
 * run's own (others rebuild build/ on this machine while a run goes on) and
 * run standalone through a node_modules symlink to the project's modules
 * instead of `npm ci --omit=dev`; a database of the bench's own
 * (databases.js); setup through
 * the ace commands; server start and stop; direct rows for the refresh token
 * pool and the growth scenario.
 */
import { execFile, spawn } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, rmSync, symlinkSync } from 'node:fs'
import { createHash, randomBytes } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { promisify } from 'node:util'
import path from 'node:path'
import { REDIRECT_URI, request } from './signin.js'
import { createDatabaseIn, sqlTime } from './databases.js'

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

/** A database of this run's own (bench/lib/databases.js), beside the copy of the build */
export function createDatabase(kind) {
  return createDatabaseIn(kind, appDir)
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
    MALLOC_MMAP_THRESHOLD_: '1048576',
    ...database.env,
    IDP_OIDC_ACCESS_TOKEN_FORMAT: format,
    IDP_OIDC_SIGNING_ALG: alg,
    /* every sign-in shows the consent page, as the peer's does for each new session */
    IDP_OIDC_CONSENT_EXPIRES_IN: '0',
    ACCOUNT_RATE_LIMITS: JSON.stringify(RATE_LIMITS),
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

/*
 * The README's production command line: a 4 MB young generation keeps RSS
 * under load about 50 MB lower at the same throughput, and MALLOC_ARENA_MAX=2
 * (in ourEnv) stops each libuv thread from keeping its own malloc arena of
 * freed scrypt buffers (sign-in load: 262 → 212 MB in a quick run);
 * MALLOC_MMAP_THRESHOLD_ fixes glibc's threshold, which otherwise rises to
 * 16 MB after the first scrypt buffer is freed and keeps later ones in the
 * heap (271 → 234 MB)
 */
const SERVER_NODE_ARGS = ['--max-semi-space-size=4']
const CLUSTER_PRIMARY = path.join(import.meta.dirname, 'cluster_primary.js')

/** Starts bin/server.js of the build, or `processes` of them sharing the port (cluster_primary.js) */
export async function startOurs(env, { nodeArgs = [], processes = 1 } = {}) {
  const args =
    processes > 1
      ? [CLUSTER_PRIMARY, String(processes), ...SERVER_NODE_ARGS, ...nodeArgs]
      : [...SERVER_NODE_ARGS, ...nodeArgs, 'bin/server.js']
  const child = spawn(NODE, args, { cwd: appDir, env, stdio: ['ignore', 'pipe', 'pipe'] })
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
