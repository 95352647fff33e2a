/**
 * A second, real app process (the HTTP server of bin/server.ts) for tests that
 * need another configuration or two processes sharing state. The child runs
 * on this run's test database: it inherits SQLITE_PATH or DB_DATABASE (set by
 * bin/test.ts), with NODE_ENV=test and the given overrides on top.
 *
 * Children listen on PORT+1 … PORT+8 of the test process, so a run started
 * with its own PORT never meets another run's children.
 *
 *   const app = await startApp({ IDP_OIDC_SIGNING_ALG: 'ES256' })
 *   cleanup(() => app.stop())
 *   await fetch(`${app.url}/.well-known/jwks.json`)
 *
 *   const { exitCode, stderr } = await runBoot({ IDP_OIDC_ACCESS_TOKEN_FORMAT: 'xml' })
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { createServer } from 'node:net'
import app from '@adonisjs/core/services/app'
import env from '#start/env'

export type Env = Record<string, string | undefined>

export type AppProcess = {
  /** http://127.0.0.1:<port> (or the `appHost` asked for), no trailing slash */
  url: string
  port: number
  /** What the child printed so far */
  stdout(): string
  stderr(): string
  /** SIGTERM, then waits for the exit (SIGKILL after 10 s) */
  stop(): Promise<void>
}

export type BootResult = {
  exitCode: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

const CHILD_PORTS = 8
const HOST = '127.0.0.1'
const running = new Set<ChildProcess>()
const portsInUse = new Set<number>()

/* A failed or interrupted test run must not leave servers behind */
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL')
})

function isFree(port: number) {
  return new Promise<boolean>((resolve) => {
    const probe = createServer()
    probe.once('error', () => resolve(false))
    probe.listen(port, HOST, () => probe.close(() => resolve(true)))
  })
}

async function takePort() {
  const base = env.get('PORT')
  for (let port = base + 1; port <= base + CHILD_PORTS; port++) {
    if (portsInUse.has(port)) continue
    /* Reserved before the check, so that concurrent starts never pick the same port */
    portsInUse.add(port)
    if (await isFree(port)) return port
    portsInUse.delete(port)
  }
  throw new Error(`no free port in ${base + 1}-${base + CHILD_PORTS} for a second app process`)
}

/**
 * The child's environment: this process's (database names included), then
 * the test defaults, then `overrides`. An override set to undefined removes
 * the variable, so that the child's .env files decide it.
 */
function childEnv(port: number, overrides: Env, appHost = HOST): NodeJS.ProcessEnv {
  const merged: Env = {
    ...process.env,
    NODE_ENV: 'test',
    HOST,
    PORT: String(port),
    APP_URL: `http://${appHost}:${port}`,
    ...overrides,
  }
  return Object.fromEntries(
    Object.entries(merged).filter(([, value]) => value !== undefined)
  ) as NodeJS.ProcessEnv
}

function spawnServer(environment: NodeJS.ProcessEnv) {
  const child = spawn(
    app.makePath('node_modules/.bin/node'),
    ['--import', '@poppinss/ts-exec', 'bin/server.ts'],
    {
      cwd: app.makePath(),
      env: environment,
      stdio: ['ignore', 'pipe', 'pipe'],
    }
  )
  const output = { stdout: '', stderr: '' }
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output.stdout += chunk))
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output.stderr += chunk))
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }))
  })
  running.add(child)
  exited.then(() => running.delete(child))
  return { child, output, exited }
}

/**
 * Starts the HTTP server with `overrides` and resolves once it answers HTTP.
 * `appHost`: the host of its APP_URL and `url` (it still listens on
 * 127.0.0.1); `localhost` for WebAuthn, which Chromium refuses on an IP address.
 */
export async function startApp(
  overrides: Env = {},
  options: { timeoutMs?: number; appHost?: string } = {}
): Promise<AppProcess> {
  const port = await takePort()
  const url = `http://${options.appHost ?? HOST}:${port}`
  const { child, output, exited } = spawnServer(childEnv(port, overrides, options.appHost))
  let exit: { code: number | null; signal: NodeJS.Signals | null } | null = null
  exited.then((result) => {
    exit = result
    portsInUse.delete(port)
  })

  const stop = async () => {
    if (!exit) {
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
      await exited
      clearTimeout(timer)
    }
  }

  const deadline = Date.now() + (options.timeoutMs ?? 20_000)
  while (true) {
    if (exit) {
      throw new Error(
        `the app process exited (${JSON.stringify(exit)}) before answering:\n${output.stderr}${output.stdout}`
      )
    }
    /* Any HTTP answer, even a 404, means the server is up */
    const answered = await fetch(`http://${HOST}:${port}/.well-known/openid-configuration`, {
      signal: AbortSignal.timeout(1000),
    }).then(
      () => true,
      () => false
    )
    if (answered) break
    if (Date.now() > deadline) {
      await stop()
      throw new Error(`the app process did not answer on ${url}:\n${output.stderr}${output.stdout}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }

  return { url, port, stdout: () => output.stdout, stderr: () => output.stderr, stop }
}

/**
 * Starts the HTTP server with `overrides` and resolves when it exits by itself
 * (a boot error). A server that is still running after `timeoutMs` is killed
 * and the promise rejects, with what it printed.
 */
export async function runBoot(
  overrides: Env = {},
  options: { timeoutMs?: number } = {}
): Promise<BootResult> {
  const port = await takePort()
  const { child, output, exited } = spawnServer(childEnv(port, overrides))
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 20_000)
  const { code, signal } = await exited
  clearTimeout(timer)
  portsInUse.delete(port)
  if (signal === 'SIGKILL') {
    throw new Error(`the app did not stop by itself:\n${output.stderr}${output.stdout}`)
  }
  return { exitCode: code, signal, stdout: output.stdout, stderr: output.stderr }
}
