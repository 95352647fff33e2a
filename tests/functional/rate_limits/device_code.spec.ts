/**
 * Device authorization is limited per source and per client (docs/settings.md#rate-limits,
 * `device_code`): every request writes a row, and a public client's id is
 * enough to ask. Past a limit: 429 temporarily_unavailable with Retry-After,
 * and nothing written.
 */
import { test } from '@japa/runner'
import OidcDeviceCode from '#models/oidc_device_code'
import { createClient, type TestClient } from '#tests/helpers/factories'
import { DEVICE_CODE, DEVICE_GRANT } from '#tests/helpers/endpoints'
import { postForm, resetRateLimits } from '#tests/helpers/oauth_checks'
import { address, fromManySources } from '#tests/helpers/sources'

const ask = (client: TestClient, from: string) =>
  postForm(DEVICE_CODE, { client_id: client.id }, { 'x-forwarded-for': from })

const publicClient = () =>
  createClient({ type: 'public', grantTypes: [DEVICE_GRANT], scopes: ['openid'] })

test.group('Device authorization rate limit (device_code)', (group) => {
  group.each.setup(resetRateLimits)

  test('one source gets 10 a minute, then 429 with Retry-After; other sources still get codes', async ({
    assert,
    cleanup,
  }) => {
    fromManySources(cleanup)
    const rp = await publicClient()
    const source = address()
    for (let i = 0; i < 10; i++) assert.equal((await ask(rp, source)).status, 200)
    const limited = await ask(rp, source)
    assert.equal(limited.status, 429)
    assert.deepEqual(JSON.parse(limited.body), {
      error: 'temporarily_unavailable',
      error_description: 'Too many requests.',
    })
    assert.match(limited.headers.get('retry-after') ?? '', /^\d+$/)
    assert.equal(limited.headers.get('cache-control'), 'no-store')
    assert.equal((await ask(rp, address())).status, 200)
    assert.lengthOf(await OidcDeviceCode.query().where('client_id', rp.id), 11)
  })

  test('a client gets at most its own limit from every source together', async ({
    assert,
    cleanup,
  }) => {
    fromManySources(cleanup, { device_code: '10/m/ip,4/m/client' })
    const rp = await publicClient()
    for (let i = 0; i < 4; i++) assert.equal((await ask(rp, address())).status, 200)
    assert.equal((await ask(rp, address())).status, 429)
    assert.lengthOf(await OidcDeviceCode.query().where('client_id', rp.id), 4)
    assert.equal((await ask(await publicClient(), address())).status, 200, 'other clients go on')
  })
})
