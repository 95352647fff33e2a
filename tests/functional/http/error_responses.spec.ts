/**
 * An unexpected failure (here: a database without tables) never shows a stack
 * trace, SQL or a path on a JSON endpoint, in any mode: the body is
 * server_error with its description. Pages get the error page; the framework's debug
 * page only in development. The `.env` a fresh clone starts with keeps such a
 * development server off the network.
 */
import { generateKeyPairSync } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import { startApp, type AppProcess } from '#tests/helpers/app_process'
import { AUTHORIZE, REDIRECT, TOKEN, USERINFO } from '#tests/helpers/endpoints'
import { errorBody } from '#tests/helpers/oauth_errors'

const databaseFile = (mode: string) => `tmp/no_tables_${process.pid}_${mode}.sqlite3`

/** A server whose database has no tables; its signing key comes from the environment */
function brokenDatabaseServer(mode: 'development' | 'production') {
  const pem = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({
    type: 'pkcs8',
    format: 'pem',
  }) as string
  return startApp({
    NODE_ENV: mode,
    DB_CONNECTION: 'sqlite',
    SQLITE_PATH: databaseFile(mode),
    IDP_OIDC_PRIVATE_KEY: pem,
    IDP_OIDC_SIGNING_ALG: 'ES256',
  })
}

async function send(server: AppProcess, path: string, init: RequestInit = {}) {
  const response = await fetch(`${server.url}${path}`, { redirect: 'manual', ...init })
  return {
    status: response.status,
    type: response.headers.get('content-type') ?? '',
    cacheControl: response.headers.get('cache-control'),
    body: await response.text(),
  }
}

const tokenRequest = (accept?: string): RequestInit => ({
  method: 'POST',
  headers: {
    'content-type': 'application/x-www-form-urlencoded',
    ...(accept ? { accept } : {}),
  },
  body: 'grant_type=client_credentials&client_id=rp&client_secret=s',
})

for (const mode of ['development', 'production'] as const) {
  test.group(`A failure in ${mode} mode`, (group) => {
    let server: AppProcess
    group.setup(async () => {
      server = await brokenDatabaseServer(mode)
      return async () => {
        await server.stop()
        await rm(app.makePath(databaseFile(mode)), { force: true })
      }
    })

    test('the token endpoint answers server_error, whatever the Accept header', async ({
      assert,
    }) => {
      for (const accept of [undefined, 'application/json', 'text/html', '*/*']) {
        const page = await send(server, TOKEN, tokenRequest(accept))
        assert.equal(page.status, 500, String(accept))
        assert.match(page.type, /^application\/json/)
        assert.deepEqual(JSON.parse(page.body), errorBody('server_error'))
        assert.equal(page.cacheControl, 'no-store')
      }
    })

    test('userinfo, revocation and device authorization answer the same', async ({ assert }) => {
      const pages = [
        await send(server, USERINFO, { headers: { authorization: 'Bearer x' } }),
        await send(server, USERINFO, {
          headers: { authorization: 'Bearer x', accept: 'application/json' },
        }),
        await send(server, '/identity/o/api/revoke', {
          ...tokenRequest(),
          body: 'token=x&client_id=rp&client_secret=s',
        }),
        await send(server, '/identity/o/api/device/code', {
          ...tokenRequest('application/json'),
          body: 'client_id=rp',
        }),
      ]
      for (const page of pages) {
        assert.equal(page.status, 500)
        assert.deepEqual(JSON.parse(page.body), errorBody('server_error'))
      }
    })

    test('a page answers 500 with HTML and no SQL', async ({ assert }) => {
      const page = await send(
        server,
        `${AUTHORIZE}?client_id=rp&redirect_uri=${encodeURIComponent(REDIRECT)}&response_type=code`
      )
      assert.equal(page.status, 500)
      assert.match(page.type, /^text\/html/)
      if (mode === 'production') {
        assert.include(page.body, '<code>server_error</code>')
        assert.notInclude(page.body, 'oidc_clients')
        assert.isBelow(page.body.length, 2000)
      }
    })
  })
}

test('the .env of a fresh clone serves development pages on loopback only', ({ assert }) => {
  const example = Object.fromEntries(
    readFileSync(app.makePath('.env.example'), 'utf8')
      .split('\n')
      .filter((line) => /^[A-Z_]+=/.test(line))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)])
  )
  if (example.NODE_ENV !== 'production') {
    assert.oneOf(example.HOST, ['127.0.0.1', '::1', 'localhost'])
  }
})
