import { test } from '@japa/runner'
import OidcClient from '#models/oidc_client'
import { runAce as ace } from '#tests/helpers/ace_process'
import { hashClientSecret } from '#services/oidc/clients/secrets'

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
