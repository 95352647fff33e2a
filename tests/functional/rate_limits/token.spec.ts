import { test } from '@japa/runner'
import oidcConfig from '#config/oidc'
import OidcToken from '#models/oidc_token'
import { parseRateRules } from '#start/settings'
import { TOKEN } from '#tests/helpers/endpoints'
import { createClient } from '#tests/helpers/factories'
import { apiPost, useSettings } from '#tests/helpers/tokens'

test.group('Token endpoint rate limit per client (docs/settings.md#rate-limits, `token`)', () => {
  test('the request past the limit gets 429 temporarily_unavailable with Retry-After; other clients are not counted', async ({
    assert,
    cleanup,
  }) => {
    useSettings(cleanup, {
      rateLimits: {
        ...oidcConfig.rateLimits,
        token: parseRateRules('3/m/key', 'IDP_OIDC_RATE_LIMITS'),
      },
    })
    const busy = await createClient({ grantTypes: ['client_credentials'], scopes: ['api'] })
    const quiet = await createClient({ grantTypes: ['client_credentials'], scopes: ['api'] })
    const ask = (client: typeof busy) =>
      apiPost(TOKEN, { grant_type: 'client_credentials' }, client)

    for (let i = 0; i < 3; i++) assert.equal((await ask(busy)).status, 200)
    const limited = await ask(busy)
    assert.equal(limited.status, 429)
    assert.deepEqual(JSON.parse(limited.body), {
      error: 'temporarily_unavailable',
      error_description: 'Too many requests.',
    })
    assert.match(limited.headers.get('retry-after')!, /^\d+$/)
    assert.equal(limited.headers.get('cache-control'), 'no-store')
    assert.lengthOf(
      await OidcToken.query().where('client_id', busy.id),
      3,
      'the refused request issued nothing'
    )
    assert.equal((await ask(quiet)).status, 200)
  })
})
