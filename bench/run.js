/**
 * Benchmark: our app (production build) against node-oidc-provider
 * configured equivalently, once keeping its tokens in memory and once in
 * Redis, all on loopback, the same load on each; and the floor: an empty
 * route through our framework stack, and Node's bare http server.
 *
 *   npm run bench                       full run on SQLite (≈ 4 min)
 *   npm run bench -- --quick            short run: 1 s warm-up, 3 s per scenario, 100,000 growth rows
 *   npm run bench -- --db mysql         on MySQL/MariaDB (root@127.0.0.1:3306, database oidc_bench_<pid>)
 *   npm run bench -- --db postgres      on PostgreSQL (postgres@127.0.0.1:5432, database oidc_bench_<pid>)
 *   npm run bench -- --json FILE        also save the figures
 *   npm run bench -- --no-build         use build/ as it is instead of running `node ace build`
 *   npm run bench -- --port 3601        our port (the peers and the bare server take the next three); 3600-3695
 *   npm run bench -- --cluster 2        ours as 2 processes on one port (node:cluster); figures per process too
 *   npm run bench -- --wait-quiet 120   seconds to wait, before each measurement, for other processes to go quiet (0: never)
 *   npm run bench -- --profile          CPU profiles of our server: the floor, client_credentials (opaque, RS256, ES256), userinfo, refresh, sign-in
 *   npm run bench -- --count-queries    SQL statements per request of each flow
 *   npm run bench -- --only cc-opaque,userinfo   only these scenarios (names as in --json)
 */
import os from 'node:os'
import path from 'node:path'
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync, appendFileSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import { execFileSync } from 'node:child_process'
import { pathToFileURL } from 'node:url'
import { setTimeout as sleep } from 'node:timers/promises'
import { parseArgs } from 'node:util'
import { signingCeilings } from './lib/ceiling.js'
import {
  APP_ROOT,
  BENCH_USER,
  buildApp,
  createDatabase,
  mintRefreshTokens,
  ourEnv,
  copyBuild,
  setupApp,
  startOurs,
} from './lib/ours.js'
import { startBare, startPeer } from './lib/peer.js'
import { basicAuth, request, signIn } from './lib/signin.js'
import { closedLoop, loadTest, rssBytes, treeRss, waitForQuietMachine } from './lib/load.js'
import { evaluateTargets, printTable, printTargets } from './lib/report.js'
import { printProfile, readQueryLog, summariseProfile } from './lib/profile.js'

const { values: options } = parseArgs({
  options: {
    'quick': { type: 'boolean', default: false },
    'db': { type: 'string', default: 'sqlite' },
    'json': { type: 'string' },
    'no-build': { type: 'boolean', default: false },
    'port': { type: 'string', default: '3601' },
    'profile': { type: 'boolean', default: false },
    'count-queries': { type: 'boolean', default: false },
    'wait-quiet': { type: 'string', default: '120' },
    'only': { type: 'string' },
    'cluster': { type: 'string', default: '1' },
  },
})

if (Number(process.versions.node.split('.')[0]) < 24) {
  console.error(
    `Node ${process.version}: the app needs Node 24; run it as \`npm run bench\` (node_modules/.bin/node)`
  )
  process.exit(1)
}
const OUR_PORT = Number(options.port)
if (!(OUR_PORT >= 3600 && OUR_PORT <= 3695)) throw new Error('--port must be from 3600 to 3695')
const PROCESSES = Number(options.cluster)
if (!(Number.isInteger(PROCESSES) && PROCESSES >= 1 && PROCESSES <= 16))
  throw new Error('--cluster must be from 1 to 16')
if (!['sqlite', 'mysql', 'postgres'].includes(options.db))
  throw new Error('--db must be sqlite, mysql or postgres')
/* The peers, in the table's order: in memory, then with Redis as its durable store */
const PEERS = [
  { store: 'memory', port: OUR_PORT + 1 },
  { store: 'redis', port: OUR_PORT + 2 },
]
const BARE_PORT = OUR_PORT + 3

const TIMING = options.quick
  ? { warmup: 1, duration: 3, ceilingSeconds: 1, growthRows: 100_000 }
  : { warmup: 3, duration: 10, ceilingSeconds: 2, growthRows: 1_000_000 }
const CONNECTIONS = 32
const SIGN_IN_WORKERS = 16
/* Other processes' share of the CPUs above which a measurement is taken again, once */
const BUSY_PCT = 10
const ATTEMPTS = 2
/*
 * A refresh signs an ID token, so it cannot outrun signing: twice the one-core
 * rate leaves room for the thread pool, times the attempts.
 */
const POOL_HEADROOM = 2 * ATTEMPTS
/* Refreshes per second our server cannot reach in a profile (one load, no second attempt) */
const REFRESH_RATE_BOUND = 3000

const CONFIGS = {
  opaque: { format: 'opaque', alg: 'RS256', label: 'opaque access tokens, RS256 ID tokens' },
  rs256: { format: 'jwt', alg: 'RS256', label: 'JWT access tokens, RS256' },
  es256: { format: 'jwt', alg: 'ES256', label: 'JWT access tokens, ES256' },
}

/* Children and the database are released on every exit path, Ctrl-C included */
const cleanups = []
async function cleanUp() {
  while (cleanups.length)
    await cleanups
      .pop()()
      .catch((error) => console.error(`cleanup: ${error.message}`))
}
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => cleanUp().finally(() => process.exit(130)))
}

function log(message) {
  console.error(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`)
}

const pathOf = (url) => new URL(url).pathname

/* The database server's processes (MySQL, PostgreSQL), which serve ours alongside it */
let databaseServerPids = []

/** What a load needs to know about one running provider */
async function describe(name, server, credentials, stackPids = []) {
  const discoveryUrl = `${server.origin}/.well-known/openid-configuration`
  const discovery = JSON.parse((await request(discoveryUrl)).body)
  return {
    name,
    pid: server.pid,
    stackPids: name === 'ours' ? databaseServerPids : stackPids,
    origin: server.origin,
    ...credentials,
    user: BENCH_USER,
    discoveryPath: pathOf(discoveryUrl),
    authorizationEndpoint: discovery.authorization_endpoint,
    tokenEndpoint: discovery.token_endpoint,
    userinfoEndpoint: discovery.userinfo_endpoint,
    jwksUri: discovery.jwks_uri,
  }
}

function tokenRequest(side, body) {
  return {
    method: 'POST',
    path: pathOf(side.tokenEndpoint),
    headers: {
      'authorization': basicAuth(side.clientId, side.clientSecret),
      'content-type': 'application/x-www-form-urlencoded',
    },
    body,
  }
}

const LOADS = {
  cc: (side) => ({ requests: [tokenRequest(side, 'grant_type=client_credentials')] }),
  /* every request takes a fresh refresh token; an empty pool sends one that fails, and is counted */
  refresh: (side) => {
    const state = { poolExhausted: 0 }
    const request = tokenRequest(side, '')
    request.setupRequest = (req) => {
      const token = side.refreshPool.pop()
      if (!token) state.poolExhausted++
      return {
        ...req,
        body: `grant_type=refresh_token&refresh_token=${encodeURIComponent(token ?? 'exhausted')}`,
      }
    }
    return { requests: [request], state }
  },
  userinfo: (side) => ({
    requests: [
      {
        method: 'GET',
        path: pathOf(side.userinfoEndpoint),
        headers: { authorization: `Bearer ${side.accessToken}` },
      },
    ],
  }),
  /* the floor: a route that does nothing, through the whole middleware stack */
  floor: () => ({ requests: [{ method: 'GET', path: '/health/live' }] }),
  discovery: (side) => ({
    requests: [
      { method: 'GET', path: side.discoveryPath },
      { method: 'GET', path: pathOf(side.jwksUri) },
    ],
  }),
}

async function measureOnce(load, side) {
  if (load === 'sign-in') {
    return closedLoop({
      url: side.origin,
      pid: side.pid,
      stackPids: side.stackPids,
      workers: SIGN_IN_WORKERS,
      warmup: TIMING.warmup,
      duration: TIMING.duration,
      iteration: () => signIn(side),
      maxIterations: 1_000_000,
    })
  }
  const { requests, state } = LOADS[load](side)
  const result = await loadTest({
    url: side.origin,
    pid: side.pid,
    stackPids: side.stackPids,
    requests,
    connections: CONNECTIONS,
    warmup: TIMING.warmup,
    duration: TIMING.duration,
  })
  return { ...result, ...state }
}

/** Waits for a quiet machine, measures, and measures again if other processes still got in the way */
async function measure(load, side) {
  for (let attempt = 1; ; attempt++) {
    const busyPct = await waitForQuietMachine(Number(options['wait-quiet']), BUSY_PCT)
    if (busyPct >= BUSY_PCT)
      log(`the machine is still ${busyPct.toFixed(0)}% busy with other work; measuring anyway`)
    const result = await measureOnce(load, side)
    if (!(result.othersCpuPct > BUSY_PCT) || attempt === ATTEMPTS)
      return { ...result, attempts: attempt }
    log(`other processes took ${result.othersCpuPct.toFixed(0)}% of the CPUs; measuring again`)
  }
}

const ONLY = options.only?.split(',')
const selected = (...names) => !ONLY || names.some((name) => ONLY.includes(name))

async function scenario(name, title, load, sides) {
  if (!selected(name)) return null
  log(`${title}: ours`)
  const ours = await measure(load, sides.ours)
  const peers = {}
  for (const [store, side] of Object.entries(sides.peers)) {
    log(`${title}: peer (${store})`)
    peers[store] = await measure(load, side)
  }
  const ratios = Object.fromEntries(
    Object.entries(peers).map(([store, peer]) => [store, ours.rps / peer.rps])
  )
  return { name, title, processes: PROCESSES, ours, peers, ratios }
}

/** The floor: GET /health/live on ours, and the same answer from Node's bare http server */
async function floor(sides) {
  if (!selected('floor')) return null
  log('floor: ours, GET /health/live')
  const ours = await measure('floor', sides.ours)
  const bare = await startBare(BARE_PORT)
  cleanups.push(bare.stop)
  try {
    log("floor: Node's bare http server")
    const side = { name: 'bare', pid: bare.pid, stackPids: [], origin: bare.origin }
    return {
      name: 'floor',
      title: 'floor: empty route (ours: GET /health/live; bare: node:http)',
      processes: PROCESSES,
      ours,
      bare: await measure('floor', side),
    }
  } finally {
    cleanups.splice(cleanups.indexOf(bare.stop), 1)
    await bare.stop()
  }
}

/* RSS of each server right after it answered its first request, in MB, per configuration */
const bootRss = []

/** The Redis server's process, which serves the Redis peer alongside it */
function redisServerPids() {
  try {
    return execFileSync('pgrep', ['-x', 'redis-server'], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .filter(Boolean)
      .map(Number)
  } catch {
    return []
  }
}

/** Ours and the peers (`stores`) in one configuration, for the duration of `body` */
async function withServers(config, { envFor, app, before, stores = ['memory', 'redis'] }, body) {
  const started = []
  const stopAll = async () => {
    for (const server of started.splice(0).reverse()) {
      cleanups.splice(cleanups.indexOf(server.stop), 1)
      await server.stop()
    }
  }
  const keep = (server) => {
    started.push(server)
    cleanups.push(server.stop)
    return server
  }
  try {
    const ours = keep(await startOurs(envFor(CONFIGS[config]), { processes: PROCESSES }))
    const sides = {
      ours: await describe('ours', ours, {
        clientId: app.clientId,
        clientSecret: app.clientSecret,
      }),
      peers: {},
    }
    const peerServers = {}
    for (const { store, port } of PEERS.filter((peer) => stores.includes(peer.store))) {
      const peer = keep(
        await startPeer({
          port,
          store,
          format: CONFIGS[config].format,
          alg: CONFIGS[config].alg,
          user: BENCH_USER,
        })
      )
      peerServers[store] = peer
      sides.peers[store] = await describe(
        'peer',
        peer,
        { clientId: peer.clientId, clientSecret: peer.clientSecret },
        store === 'redis' ? redisServerPids() : []
      )
    }
    bootRss.push({
      config,
      ours: treeRss(ours.pid).total / 2 ** 20,
      ...Object.fromEntries(
        Object.entries(peerServers).map(([store, peer]) => [store, rssBytes(peer.pid) / 2 ** 20])
      ),
    })
    await before?.(sides, peerServers)
    return await body(sides)
  } finally {
    await stopAll()
  }
}

/** Builds, creates the database and sets the app up; returns what every mode needs */
async function prepare() {
  if (!options['no-build']) {
    log('building (node ace build)')
    await buildApp()
  }
  const removeCopy = copyBuild()
  cleanups.push(async () => removeCopy())
  const database = await createDatabase(options.db)
  cleanups.push(() => database.drop())
  databaseServerPids = database.serverPids
  const appKey = randomBytes(24).toString('base64url')
  const envFor = (config, extra = {}) => ({
    ...ourEnv({ port: OUR_PORT, database, appKey, ...config }),
    ...extra,
  })
  log(
    `setting up our app on ${options.db} (migration:run, client:create, user:create, keys:generate)`
  )
  const app = await setupApp(envFor(CONFIGS.opaque))
  return { database, envFor, app }
}

/** The client_credentials scenario again once oidc_tokens holds the growth rows; returns the row count */
async function growth(scenarios, { database, envFor, app }) {
  log(`inserting ${TIMING.growthRows.toLocaleString('en')} rows into oidc_tokens`)
  const fillStart = performance.now()
  await database.fillTokens(TIMING.growthRows, app.clientId)
  const tokenRows = await database.countTokens()
  await database.close()
  log(
    `inserted in ${((performance.now() - fillStart) / 1000).toFixed(1)} s; oidc_tokens holds ${tokenRows.toLocaleString('en')} rows`
  )
  /* the in-memory peer only: a million tokens in the shared Redis would crowd others' work out */
  await withServers(
    'opaque',
    {
      envFor,
      app,
      stores: ['memory'],
      async before(_sides, peers) {
        log(
          `storing ${TIMING.growthRows.toLocaleString('en')} client_credentials tokens in the peer`
        )
        await peers.memory.fillTokens(TIMING.growthRows)
      },
    },
    async (sides) => {
      const title = `client_credentials, opaque, ${(tokenRows / 1e6).toFixed(2)} M rows`
      scenarios.push(await scenario('cc-opaque-growth', title, 'cc', sides))
    }
  )
  return tokenRows
}

async function benchmark() {
  log(`signing ceilings (jose, one core, ${TIMING.ceilingSeconds} s each)`)
  await waitForQuietMachine(Number(options['wait-quiet']), BUSY_PCT)
  const ceilings = await signingCeilings(TIMING.ceilingSeconds)
  const { database, envFor, app } = await prepare()
  const poolSize = Math.ceil(ceilings.RS256 * (TIMING.warmup + TIMING.duration) * POOL_HEADROOM)
  log(`minting ${poolSize} refresh tokens for ours (rows in oidc_tokens)`)
  const ourPool = await mintRefreshTokens(database, app, poolSize)
  await database.close()

  const scenarios = []
  if (selected('floor', 'cc-opaque', 'refresh', 'userinfo', 'discovery', 'sign-in'))
    await withServers(
      'opaque',
      {
        envFor,
        app,
        async before(sides, peers) {
          log(
            `one sign-in each (checks the flow; its access token serves userinfo); minting ${poolSize} refresh tokens for each peer`
          )
          for (const side of [sides.ours, ...Object.values(sides.peers)])
            side.accessToken = (await signIn(side)).access_token
          sides.ours.refreshPool = ourPool
          if (selected('refresh'))
            for (const [store, peer] of Object.entries(peers))
              sides.peers[store].refreshPool = await peer.mintRefreshTokens(poolSize)
        },
      },
      async (sides) => {
        scenarios.push(await floor(sides))
        scenarios.push(await scenario('cc-opaque', 'client_credentials, opaque', 'cc', sides))
        scenarios.push(
          await scenario('refresh', 'refresh_token, rotation (+ RS256 ID token)', 'refresh', sides)
        )
        scenarios.push(
          await scenario('userinfo', 'userinfo, valid opaque token', 'userinfo', sides)
        )
        scenarios.push(
          await scenario('discovery', 'discovery + JWKS (alternating)', 'discovery', sides)
        )
        scenarios.push(
          await scenario(
            'sign-in',
            'full sign-in (login, consent, code exchange)',
            'sign-in',
            sides
          )
        )
      }
    )
  if (selected('cc-jwt-rs256'))
    await withServers('rs256', { envFor, app }, async (sides) => {
      scenarios.push(await scenario('cc-jwt-rs256', 'client_credentials, JWT RS256', 'cc', sides))
    })
  if (selected('cc-jwt-es256'))
    await withServers('es256', { envFor, app }, async (sides) => {
      scenarios.push(await scenario('cc-jwt-es256', 'client_credentials, JWT ES256', 'cc', sides))
    })

  const tokenRows = selected('cc-opaque-growth')
    ? await growth(scenarios, { database, envFor, app })
    : null
  scenarios.splice(0, scenarios.length, ...scenarios.filter(Boolean))

  const targets = evaluateTargets({
    scenarios,
    ceilings,
    db: options.db,
    growthRows: TIMING.growthRows,
    processes: PROCESSES,
  })
  const settings = {
    connections: CONNECTIONS,
    signInWorkers: SIGN_IN_WORKERS,
    warmupSeconds: TIMING.warmup,
    durationSeconds: TIMING.duration,
    growthRows: TIMING.growthRows,
    tokenRowsInGrowth: tokenRows,
    refreshPool: poolSize,
    processes: PROCESSES,
    limiterStore: 'memory',
    sessionDriver: 'cookie',
    build: 'node ace build; build/node_modules -> ../node_modules',
  }
  console.log(
    `\nBenchmark, ${options.db}${options.quick ? ' (--quick)' : ''}${PROCESSES > 1 ? `, ours as ${PROCESSES} processes (--cluster)` : ''}: ${os.cpus().length} × ${os.cpus()[0].model}, Node ${process.version}`
  )
  console.log(
    `${CONNECTIONS} connections (sign-in: ${SIGN_IN_WORKERS} concurrent flows), ${TIMING.warmup} s warm-up, ${TIMING.duration} s measured; load generator on the same machine`
  )
  console.log(
    'ours: production build, LIMITER_STORE=memory, SESSION_DRIVER=cookie; peers: oidc-provider 9, tokens in memory / in Redis (127.0.0.1:6379).'
  )
  console.log(
    `Latencies in ms; RSS is the max sampled during the measured part (ours: all its processes). RSS after boot: ours ${bootRss[0].ours.toFixed(0)} MB, peer in memory ${bootRss[0].memory?.toFixed(0)} MB, peer with Redis ${bootRss[0].redis?.toFixed(0) ?? '-'} MB.\n`
  )
  printTable(scenarios)
  console.log(
    `\nJWT signing ceiling, jose, one core: RS256 ${ceilings.RS256.toFixed(0)}/s, ES256 ${ceilings.ES256.toFixed(0)}/s\n`
  )
  printTargets(targets)
  if (options.json) {
    const file = path.resolve(process.env.INIT_CWD ?? process.cwd(), options.json)
    mkdirSync(path.dirname(file), { recursive: true })
    const machine = {
      cpus: os.cpus().length,
      model: os.cpus()[0].model,
      memoryMB: Math.round(os.totalmem() / 2 ** 20),
      node: process.version,
    }
    const figures = {
      date: new Date().toISOString(),
      db: options.db,
      quick: options.quick,
      machine,
      settings,
      ceilings,
      bootRss,
      scenarios,
      targets,
    }
    writeFileSync(
      file,
      `${JSON.stringify(figures, (key, value) => (key === 'window' ? undefined : value), 2)}\n`
    )
    console.log(`\nfigures saved to ${file}`)
  }
}

/**
 * CPU profiles of our server under load: the token endpoint (client_credentials)
 * with opaque and with JWT RS256 and ES256 access tokens, userinfo, which
 * writes nothing, refresh and the full sign-in. One profile per server; each
 * load is read from its own window.
 */
async function profile() {
  const { database, envFor, app } = await prepare()
  const refreshPool = selected('refresh')
    ? await mintRefreshTokens(
        database,
        app,
        Math.ceil(REFRESH_RATE_BOUND * (TIMING.warmup + TIMING.duration))
      )
    : []
  await database.close()
  const dir = path.join(
    APP_ROOT,
    'bench/results/profiles',
    new Date().toISOString().replace(/[:.]/g, '-')
  )
  const PROFILED = {
    'floor': 'floor (GET /health/live)',
    'cc': 'client_credentials',
    'userinfo': 'userinfo',
    'refresh': 'refresh_token (+ RS256 ID token)',
    'sign-in': 'full sign-in (login, consent, code exchange)',
  }
  /* each load by its scenario's name, for --only */
  const scenarioName = (config, load) =>
    load !== 'cc' ? load : config === 'opaque' ? 'cc-opaque' : `cc-jwt-${config}`
  for (const [config, all] of [
    ['opaque', ['floor', 'cc', 'userinfo', 'refresh', 'sign-in']],
    ['rs256', ['cc']],
    ['es256', ['cc']],
  ]) {
    const loads = all.filter((load) => selected(scenarioName(config, load)))
    if (!loads.length) continue
    const profileDir = path.join(dir, config)
    const ours = await startOurs(envFor(CONFIGS[config]), {
      nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profileDir}`],
    })
    cleanups.push(ours.stop)
    const side = await describe('ours', ours, {
      clientId: app.clientId,
      clientSecret: app.clientSecret,
    })
    if (loads.includes('userinfo')) side.accessToken = (await signIn(side)).access_token
    side.refreshPool = refreshPool
    const runs = []
    for (const load of loads) {
      const title = `${PROFILED[load]}, ${CONFIGS[config].label}`
      log(`profiling ${title}`)
      await waitForQuietMachine(Number(options['wait-quiet']), BUSY_PCT)
      runs.push({ title, result: await measureOnce(load, side) })
    }
    /*
     * A JWT-mode server stopped within a second of a load's end does not exit
     * (the profile would be lost); a few idle seconds first avoid that race.
     */
    await sleep(3000)
    cleanups.pop()
    await ours.stop()
    /* CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile; thread 0 is the main thread (the logger has its own) */
    const file = path.join(
      profileDir,
      readdirSync(profileDir).find((name) => name.includes(`.${ours.pid}.0.`))
    )
    for (const { title, result } of runs) {
      printProfile(
        `${title}: ${result.rps.toFixed(0)} req/s, p50 ${result.p50} ms; ${path.relative(APP_ROOT, file)}`,
        summariseProfile(file, result.window)
      )
    }
  }
}

/**
 * SQL statements per request: our server with the drivers instrumented
 * (lib/query_log.js), requests sent one at a time, each preceded by a mark in
 * the log. Once with the limiter in memory (as benchmarked), once in the
 * database (the app's default store).
 */
async function countQueries() {
  const { database, envFor, app } = await prepare()
  const pool = await mintRefreshTokens(database, app, 10)
  await database.close()
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'oidc-bench-'))
  cleanups.push(async () => rmSync(tmp, { recursive: true, force: true }))
  for (const limiterStore of ['memory', 'database']) {
    const logFile = path.join(tmp, `queries-${limiterStore}.log`)
    const mark = (label) => appendFileSync(logFile, `#MARK ${label}\n`)
    const env = envFor({ ...CONFIGS.opaque, limiterStore }, { BENCH_QUERY_LOG: logFile })
    const ours = await startOurs(env, {
      nodeArgs: ['--import', pathToFileURL(path.join(APP_ROOT, 'bench/lib/query_log.js')).href],
    })
    cleanups.push(ours.stop)
    const side = await describe('ours', ours, {
      clientId: app.clientId,
      clientSecret: app.clientSecret,
    })
    const send = async (label, { method, path: target, headers, body }) => {
      mark(label)
      const response = await request(new URL(target, side.origin), { method, headers, body })
      if (response.status !== 200)
        throw new Error(`${label}: HTTP ${response.status} ${response.body.slice(0, 200)}`)
      return JSON.parse(response.body)
    }
    /* the first round warms caches (signing keys, client lookups); the second is the one reported */
    let tokens
    for (const round of ['warm-up', 'counted']) {
      const prefix = round === 'warm-up' ? 'warm-up ' : ''
      await send(`${prefix}client_credentials`, LOADS.cc(side).requests[0])
      tokens = await signIn(side, { onRequest: (label) => mark(`${prefix}sign-in: ${label}`) })
      await send(
        `${prefix}refresh_token`,
        tokenRequest(
          side,
          `grant_type=refresh_token&refresh_token=${encodeURIComponent(pool.pop())}`
        )
      )
      side.accessToken = tokens.access_token
      await send(`${prefix}userinfo`, LOADS.userinfo(side).requests[0])
    }
    mark('end')
    cleanups.pop()
    await ours.stop()
    console.log(`\nSQL statements per request (LIMITER_STORE=${limiterStore}, ${options.db}):`)
    for (const [label, statements] of readQueryLog(logFile)) {
      if (label.startsWith('warm-up') || label === 'end') continue
      console.log(`  ${String(statements.length).padStart(2)}  ${label}`)
      for (const sql of statements) console.log(`        ${sql.slice(0, 150)}`)
    }
  }
}

try {
  if (options.profile) await profile()
  else if (options['count-queries']) await countQueries()
  else await benchmark()
} finally {
  await cleanUp()
}
