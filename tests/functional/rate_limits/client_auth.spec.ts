/**
 * The client authentication failure limit (docs/settings.md#rate-limits,
 * `client_auth_failed`) counts per client and source, so that failures sent
 * from elsewhere never lock the real client out; a generous per-client
 * ceiling still bounds the guessing. Sources are told apart by the
 * X-Forwarded-For address of a trusted proxy.
 */
import { test } from '@japa/runner'
import { createClient, type TestClient } from '#tests/helpers/factories'
import { TOKEN } from '#tests/helpers/endpoints'
import { basic, postForm, resetRateLimits } from '#tests/helpers/oauth_checks'
import { address, fromManySources } from '#tests/helpers/sources'

function tokenRequest(client: TestClient, secret: string, from: string) {
  return postForm(
    TOKEN,
    { grant_type: 'client_credentials' },
    { 'authorization': basic(client.id, secret), 'x-forwarded-for': from }
  )
}

test.group('Client authentication failures (client_auth_failed)', (group) => {
  group.each.setup(resetRateLimits)

  test('30 wrong secrets from 30 addresses leave the real client working', async ({
    assert,
    cleanup,
  }) => {
    fromManySources(cleanup)
    const rp = await createClient({ grantTypes: ['client_credentials'], scopes: ['api'] })
    for (let i = 0; i < 30; i++) {
      assert.equal((await tokenRequest(rp, 'wrong', address())).status, 401)
    }
    const real = await tokenRequest(rp, rp.secret!, address())
    assert.equal(real.status, 200, real.body)
  })

  test('one source guessing is stopped after 20 failures, for that client only', async ({
    assert,
    cleanup,
  }) => {
    fromManySources(cleanup)
    const rp = await createClient({ grantTypes: ['client_credentials'], scopes: ['api'] })
    const attacker = address()
    for (let i = 0; i < 20; i++) {
      assert.equal((await tokenRequest(rp, 'wrong', attacker)).status, 401)
    }
    const stopped = await tokenRequest(rp, rp.secret!, attacker)
    assert.equal(stopped.status, 429)
    assert.match(stopped.headers.get('retry-after') ?? '', /^\d+$/)
    assert.equal(JSON.parse(stopped.body).error, 'temporarily_unavailable')
    assert.equal((await tokenRequest(rp, rp.secret!, address())).status, 200)
  })

  test('the per-client ceiling bounds the failures from every source together', async ({
    assert,
    cleanup,
  }) => {
    fromManySources(cleanup, { client_auth_failed: '20/m/ip,20/m/key,5/m/client' })
    const rp = await createClient({ grantTypes: ['client_credentials'], scopes: ['api'] })
    const other = await createClient({ grantTypes: ['client_credentials'], scopes: ['api'] })
    for (let i = 0; i < 5; i++) {
      assert.equal((await tokenRequest(rp, 'wrong', address())).status, 401)
    }
    assert.equal((await tokenRequest(rp, 'wrong', address())).status, 429)
    assert.equal((await tokenRequest(other, other.secret!, address())).status, 200)
  })
})
