import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import OidcClient from '#models/oidc_client'
import { hashClientSecret } from '#services/oidc/clients/secrets'

const run = promisify(execFile)

/**
 * `node ace …` as an operator runs it, on this run's test database (bin/test.ts
 * put SQLITE_PATH or DB_DATABASE in the environment the child inherits).
 */
async function ace(argv: string[]) {
  try {
    const { stdout, stderr } = await run(app.makePath('node_modules/.bin/node'), ['ace', ...argv], {
      cwd: app.makePath(),
      env: { ...process.env, NODE_ENV: 'test' },
    })
    return { code: 0, stdout, stderr }
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string }
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr }
  }
}

test.group('admin commands in their own process', () => {
  test('client:create --json prints exactly one JSON line on stdout', async ({ assert }) => {
    const { code, stdout, stderr } = await ace([
      'client:create',
      '--name',
      'Subprocess RP',
      '--redirect-uris',
      'https://sub.example/cb',
      '--json',
    ])
    assert.equal(code, 0, stderr)
    assert.equal(stderr, '')
    assert.match(stdout, /^\{[^\n]*\}\n$/)
    const printed = JSON.parse(stdout)
    assert.deepInclude(printed, {
      name: 'Subprocess RP',
      redirect_uris: ['https://sub.example/cb'],
    })
    assert.equal((await OidcClient.findOrFail(printed.id)).secret, hashClientSecret(printed.secret))
  })

  test('bad input exits non-zero with one line on stderr and writes nothing', async ({
    assert,
  }) => {
    const { code, stdout, stderr } = await ace([
      'client:create',
      '--name',
      'Refused RP',
      '--redirect-uris',
      '/relative',
      '--json',
    ])
    assert.notEqual(code, 0)
    assert.equal(stdout, '')
    assert.equal(stderr, 'error: redirect URI "/relative" is not an absolute URI\n')
    assert.isNull(await OidcClient.findBy('name', 'Refused RP'))
  })
})
