import { execFileSync } from 'node:child_process'
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import { runBoot, startApp, type Env } from '#tests/helpers/app_process'
import { runAce, runProcess } from '#tests/helpers/ace_process'
import { until } from '#tests/helpers/until'

/** An empty folder for ENV_PATH: the child reads no .env file, only its environment */
function noEnvFiles(cleanup: (callback: () => void) => void) {
  const folder = mkdtempSync(join(tmpdir(), 'oidc-env-'))
  cleanup(() => rmSync(folder, { recursive: true, force: true }))
  return folder
}

/**
 * The environment of an operator who gives nothing but the database: every
 * framework variable with a default, and the test run's settings, unset.
 */
function productionEnv(envPath: string): Env {
  const unset = ['NODE_ENV', 'HOST', 'LOG_LEVEL', 'SESSION_DRIVER', 'LIMITER_STORE']
    .concat(Object.keys(process.env).filter((name) => name.startsWith('IDP_OIDC_')))
    .map((name) => [name, undefined])
  return { ...Object.fromEntries(unset), ENV_PATH: envPath }
}

/** A port nothing listens on */
function closedPort() {
  return new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number }
      probe.close(() => resolve(port))
    })
  })
}

/** A Node.js older than 24 outside the project (the machine's own), or null */
function olderSystemNode(): string | null {
  const found = (() => {
    try {
      return execFileSync('which', ['-a', 'node'], { encoding: 'utf8' }).split('\n')
    } catch {
      return []
    }
  })()
  for (const path of found.filter((line) => line && !line.includes('node_modules'))) {
    const version = execFileSync(path, ['--version'], { encoding: 'utf8' }).trim()
    if (Number(version.slice(1).split('.')[0]) < 24) return path
  }
  return null
}

test.group('Production boot: defaults and required settings', (group) => {
  group.each.timeout(60_000)

  test('without APP_KEY and APP_URL, production stops with one line naming both', async ({
    assert,
    cleanup,
  }) => {
    const result = await runBoot({
      ...productionEnv(noEnvFiles(cleanup)),
      APP_KEY: undefined,
      APP_URL: undefined,
    })
    assert.equal(
      result.stderr,
      'error: APP_KEY: not set; give a random secret of 32 characters or more (e.g. the output of `openssl rand -base64 32`) and keep it: it encrypts the stored signing keys; ' +
        'APP_URL: not set; in production give the public origin, which is the issuer (e.g. https://id.example.com)\n'
    )
    assert.equal(result.stdout, '')
    assert.equal(result.exitCode, 1)
  })

  test('a short APP_KEY is refused in one line', async ({ assert, cleanup }) => {
    const result = await runBoot({ ...productionEnv(noEnvFiles(cleanup)), APP_KEY: 'short-key' })
    assert.match(result.stderr, /^error: APP_KEY: too short \(9 characters\); give a random secret/)
    assert.equal(result.stderr.split('\n').length, 2)
    assert.equal(result.exitCode, 1)
  })

  test('with APP_KEY and APP_URL alone, the server starts in production with the documented defaults', async ({
    assert,
    cleanup,
  }) => {
    const server = await startApp(productionEnv(noEnvFiles(cleanup)))
    cleanup(() => server.stop())

    /* HOST 0.0.0.0, and LOG_LEVEL info: the start is logged, as JSON (production) */
    const started = await until(() =>
      server
        .stdout()
        .split('\n')
        .find((line) => line.includes('started HTTP server'))
    )
    assert.equal(JSON.parse(started).msg, `started HTTP server on 0.0.0.0:${server.port}`)

    /* NODE_ENV production: cookies only over HTTPS; SESSION_DRIVER cookie: the session is in it */
    const page = await fetch(`${server.url}/accounts/login/`)
    assert.equal(page.status, 200)
    const cookies = page.headers.getSetCookie()
    assert.isNotEmpty(cookies)
    for (const cookie of cookies) assert.include(cookie, '; Secure')
  })
})

test.group('Development boot', (group) => {
  group.each.timeout(60_000)

  test('without HOST, development listens on loopback only', async ({ assert, cleanup }) => {
    const server = await startApp({
      ...productionEnv(noEnvFiles(cleanup)),
      NODE_ENV: 'development',
    })
    cleanup(() => server.stop())
    const started = await until(() => server.stdout().includes('started HTTP server'))
    assert.isTrue(started)
    assert.include(server.stdout(), `started HTTP server on 127.0.0.1:${server.port}`)
  })
})

test.group('Production boot: one line for what an operator must fix', (group) => {
  group.each.timeout(60_000)

  /** MySQL settings pointing at a port nothing listens on, and the line they must give */
  async function unreachableDatabase() {
    const port = await closedPort()
    return {
      env: { DB_CONNECTION: 'mysql', DB_HOST: '127.0.0.1', DB_PORT: String(port) },
      line: `error: cannot use the mysql database at 127.0.0.1:${port}: connection refused (ECONNREFUSED)\n`,
    }
  }

  test('an unreachable database, from the server', async ({ assert }) => {
    const { env, line } = await unreachableDatabase()
    const result = await runBoot(env)
    assert.equal(result.stderr, line)
    assert.equal(result.stdout, '')
    assert.equal(result.exitCode, 1)
  })

  test('an unreachable database, from ace {$self}')
    .with(['migration:run --force', 'keys:generate --if-missing', 'tokens:prune'])
    .run(async ({ assert }, command) => {
      const { env, line } = await unreachableDatabase()
      const result = await runAce(command.split(' '), env)
      assert.equal(result.stderr, line)
      assert.equal(result.code, 1)
    })

  test('a port already taken', async ({ assert, cleanup }) => {
    const server = await startApp()
    cleanup(() => server.stop())
    const result = await runBoot({ PORT: String(server.port) })
    assert.equal(
      result.stderr,
      `error: cannot listen on 127.0.0.1:${server.port}: the port is already in use (EADDRINUSE); see PORT and HOST\n`
    )
    assert.equal(result.exitCode, 1)
  })
})

test.group('Entry points on an older Node.js', (group) => {
  group.each.timeout(60_000)
  const systemNode = olderSystemNode()

  test('without the project Node, one line says which Node is needed and how', async ({
    assert,
    cleanup,
  }) => {
    /* The entry point and what it loads first, in a folder without node_modules */
    const folder = mkdtempSync(join(tmpdir(), 'oidc-node-'))
    cleanup(() => rmSync(folder, { recursive: true, force: true }))
    mkdirSync(join(folder, 'bin'))
    for (const file of ['ace.js', 'bin/node24.js', 'bin/prepare_env.js']) {
      copyFileSync(app.makePath(file), join(folder, file))
    }
    const result = await runProcess(systemNode!, ['ace.js', 'list'], {}, folder)
    const version = execFileSync(systemNode!, ['--version'], { encoding: 'utf8' }).trim()
    assert.equal(
      result.stderr,
      `error: Node.js 24 or newer is needed (this is ${version}): run \`npm ci\` here (\`npm ci --omit=dev\` in a build), which installs it into node_modules, or start with Node.js 24\n`
    )
    assert.equal(result.stdout, '')
    assert.equal(result.code, 1)
  }).skip(!systemNode, 'no Node.js older than 24 on this machine')

  test('with the project Node installed, the command runs on it', async ({ assert }) => {
    const result = await runProcess(systemNode!, ['ace', 'keys:list', '--json'])
    assert.equal(result.code, 0, result.stderr)
    assert.isArray(JSON.parse(result.stdout))
  }).skip(!systemNode, 'no Node.js older than 24 on this machine')
})

test.group('ace --help', (group) => {
  group.each.timeout(240_000)

  /* Independent of the database, and long (a process per command): the SQLite run covers it */
  const otherDatabase = (process.env.DB_CONNECTION ?? 'sqlite') !== 'sqlite'

  test('every command prints its help and exits 0', async ({ assert }) => {
    const listed = await runAce(['list', '--json'])
    assert.equal(listed.code, 0, listed.stderr)
    const names: string[] = JSON.parse(listed.stdout).map(
      (command: { commandName: string }) => command.commandName
    )
    assert.includeMembers(names, [
      'user:create',
      'user:list',
      'user:show',
      'user:delete',
      'user:sign-out',
      'client:create',
      'client:delete',
      'keys:generate',
      'keys:list',
      'tokens:prune',
    ])

    const failures: string[] = []
    const queue = [...names]
    /* Three at a time: the machine is shared */
    await Promise.all(
      [1, 2, 3].map(async () => {
        for (let name = queue.shift(); name; name = queue.shift()) {
          const result = await runAce([name, '--help'])
          if (result.code !== 0 || !result.stdout.includes('Usage'))
            failures.push(`${name}: exit ${result.code} ${result.stderr.trim()}`)
        }
      })
    )
    assert.deepEqual(failures, [])
  }).skip(otherDatabase, 'the SQLite run checks it')
})
