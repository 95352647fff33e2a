import { test } from '@japa/runner'
import { Browser } from '#tests/helpers/browser'

const noStore = (page: { headers: Headers }) => [
  page.headers.get('cache-control'),
  page.headers.get('pragma'),
]

test.group('Caching', () => {
  test('every answer is no-store unless it chose a cache policy', async ({ assert }) => {
    const browser = new Browser()
    const answers = await Promise.all([
      browser.request('GET', '/no/such/page'),
      browser.request('GET', '/accounts/login/'),
      browser.request('POST', '/identity/o/api/token', { grant_type: 'password' }),
      browser.request('GET', '/identity/o/api/userinfo'),
      browser.request('GET', '/identity/o/authorize?client_id=unknown'),
      browser.request('POST', '/identity/o/authorize', { client_id: 'x' }),
    ])
    for (const page of answers) assert.deepEqual(noStore(page), ['no-store', 'no-cache'], page.url)
  })

  test('discovery, JWKS and the stylesheet keep their public cache policy', async ({ assert }) => {
    const browser = new Browser()
    for (const [path, policy] of [
      ['/.well-known/openid-configuration', 'public, max-age=300'],
      ['/.well-known/jwks.json', 'public, max-age=300'],
      ['/static/app.css', 'public, max-age=3600'],
    ]) {
      const page = await browser.request('GET', path)
      assert.equal(page.headers.get('cache-control'), policy, path)
      assert.isNull(page.headers.get('pragma'), path)
    }
  })
})
