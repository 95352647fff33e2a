import { test } from '@japa/runner'

test.group('Discovery', () => {
  test('serves the discovery document with CORS and cache headers', async ({ client, assert }) => {
    const response = await client.get('/.well-known/openid-configuration')
    response.assertStatus(200)
    assert.equal(response.header('access-control-allow-origin'), '*')
    assert.equal(response.header('cache-control'), 'public, max-age=300')
    assert.equal(response.body().issuer, 'http://127.0.0.1:3334')
  })
})
