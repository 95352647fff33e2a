import { request as httpRequest } from 'node:http'
import { test } from '@japa/runner'
import type { Assert } from '@japa/assert'
import * as client from 'openid-client'
import env from '#start/env'
import { BASE_URL } from '#tests/helpers/browser'
import { startApp, type AppProcess } from '#tests/helpers/app_process'

const PATH = '/.well-known/openid-configuration'
/** The issuer of the test server: APP_URL without a trailing slash */
const ISS = new URL(env.get('APP_URL')!).origin

/** allauth's 11 keys, in its order (compat) */
const ALLAUTH_KEYS = [
  'authorization_endpoint',
  'device_authorization_endpoint',
  'revocation_endpoint',
  'token_endpoint',
  'userinfo_endpoint',
  'end_session_endpoint',
  'jwks_uri',
  'issuer',
  'response_types_supported',
  'subject_types_supported',
  'id_token_signing_alg_values_supported',
]

/** Every key and value of docs/endpoints.md#discovery, in its order, for issuer `iss` */
function expectedDocument(iss: string, overrides: Record<string, unknown> = {}) {
  const authMethods = ['client_secret_basic', 'client_secret_post', 'none']
  return {
    authorization_endpoint: `${iss}/identity/o/authorize`,
    device_authorization_endpoint: `${iss}/identity/o/api/device/code`,
    revocation_endpoint: `${iss}/identity/o/api/revoke`,
    token_endpoint: `${iss}/identity/o/api/token`,
    userinfo_endpoint: `${iss}/identity/o/api/userinfo`,
    end_session_endpoint: `${iss}/identity/o/logout`,
    jwks_uri: `${iss}/.well-known/jwks.json`,
    issuer: iss,
    response_types_supported: [
      'code',
      'code id_token',
      'code id_token token',
      'code token',
      'id_token',
      'id_token token',
      'token',
    ],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256'],
    introspection_endpoint: `${iss}/identity/o/api/introspect`,
    scopes_supported: ['openid', 'profile', 'email', 'phone', 'address'],
    grant_types_supported: [
      'authorization_code',
      'implicit',
      'refresh_token',
      'client_credentials',
      'urn:ietf:params:oauth:grant-type:device_code',
    ],
    response_modes_supported: ['query', 'fragment', 'form_post'],
    token_endpoint_auth_methods_supported: authMethods,
    revocation_endpoint_auth_methods_supported: authMethods,
    introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    code_challenge_methods_supported: ['S256'],
    prompt_values_supported: ['none', 'login', 'consent'],
    claims_supported: (
      'sub iss aud exp iat auth_time acr amr nonce azp sid at_hash c_hash name given_name family_name middle_name nickname ' +
      'preferred_username picture website gender birthdate zoneinfo locale updated_at email email_verified phone_number ' +
      'phone_number_verified address'
    ).split(' '),
    /* the languages of the pages and mails, which ui_locales chooses from */
    ui_locales_supported: ['en', 'de', 'fr'],
    acr_values_supported: ['https://refeds.org/profile/sfa', 'https://refeds.org/profile/mfa'],
    authorization_response_iss_parameter_supported: true,
    request_parameter_supported: false,
    request_uri_parameter_supported: false,
    claims_parameter_supported: false,
    backchannel_logout_supported: true,
    backchannel_logout_session_supported: true,
    ...overrides,
  }
}

/** Key order matters (compat), so documents are compared as lists of entries */
const entries = (document: object) => Object.entries(document)

/** A GET with any Host header (fetch does not let a caller set it) */
function getWithHeaders(url: string, headers: Record<string, string>) {
  return new Promise<{ status: number; body: any }>((resolve, reject) => {
    const request = httpRequest(url, { headers }, (response) => {
      let body = ''
      response.setEncoding('utf8').on('data', (chunk) => (body += chunk))
      response.on('end', () => resolve({ status: response.statusCode!, body: JSON.parse(body) }))
    })
    request.on('error', reject).end()
  })
}

test.group('Discovery (docs/endpoints.md#discovery)', () => {
  test("serves every key and value of docs/endpoints.md#discovery, allauth's 11 keys first in its order", async ({
    assert,
  }) => {
    const response = await fetch(`${BASE_URL}${PATH}`)
    assert.equal(response.status, 200)
    assert.match(response.headers.get('content-type')!, /^application\/json\b/)
    const document = (await response.json()) as Record<string, unknown>
    assert.deepEqual(Object.keys(document).slice(0, 11), ALLAUTH_KEYS)
    assert.deepEqual(entries(document), entries(expectedDocument(ISS)))
    assert.equal(document.issuer, ISS)
  })

  test('the same document at the RFC 8414 path, with the same headers', async ({ assert }) => {
    const oidcResponse = await fetch(`${BASE_URL}${PATH}`)
    const response = await fetch(`${BASE_URL}/.well-known/oauth-authorization-server`, {
      headers: { origin: 'https://any.example' },
    })
    assert.equal(response.status, 200)
    assert.match(response.headers.get('content-type')!, /^application\/json\b/)
    assert.equal(response.headers.get('access-control-allow-origin'), '*')
    assert.equal(response.headers.get('cache-control'), 'public, max-age=300')
    assert.equal(await response.text(), await oidcResponse.text())

    const preflight = await fetch(`${BASE_URL}/.well-known/oauth-authorization-server`, {
      method: 'OPTIONS',
      headers: { 'origin': 'https://any.example', 'access-control-request-method': 'GET' },
    })
    assert.equal(preflight.status, 204)
    const slash = await fetch(`${BASE_URL}/.well-known/oauth-authorization-server/`)
    assert.equal(slash.status, 404)

    /* An OAuth-only client library finds the provider there (RFC 8414 §3) */
    const config = await client.discovery(new URL(ISS), 'any-client', undefined, undefined, {
      algorithm: 'oauth2',
      execute: [client.allowInsecureRequests],
    })
    assert.equal(config.serverMetadata().issuer, ISS)
  })

  test('CORS * and public caching; OPTIONS gives 204 with CORS; HEAD works', async ({ assert }) => {
    const response = await fetch(`${BASE_URL}${PATH}`, {
      headers: { origin: 'https://any.example' },
    })
    assert.equal(response.headers.get('access-control-allow-origin'), '*')
    assert.equal(response.headers.get('cache-control'), 'public, max-age=300')
    assert.isNull(response.headers.get('access-control-allow-credentials'))
    assert.isNull(response.headers.get('set-cookie'))

    const preflight = await fetch(`${BASE_URL}${PATH}`, {
      method: 'OPTIONS',
      headers: { 'origin': 'https://any.example', 'access-control-request-method': 'GET' },
    })
    assert.equal(preflight.status, 204)
    assert.equal(preflight.headers.get('access-control-allow-origin'), '*')
    assert.equal(await preflight.text(), '')

    const head = await fetch(`${BASE_URL}${PATH}`, { method: 'HEAD' })
    assert.equal(head.status, 200)
    assert.equal(head.headers.get('cache-control'), 'public, max-age=300')
    assert.equal(head.headers.get('access-control-allow-origin'), '*')
    assert.match(head.headers.get('content-type')!, /^application\/json\b/)
    assert.equal(await head.text(), '')
  })

  test('a trailing slash gives 404, on every IdP path', async ({ assert }) => {
    const paths = [
      PATH,
      '/.well-known/jwks.json',
      '/identity/o/authorize',
      '/identity/o/api/token',
      '/identity/o/api/userinfo',
      '/identity/o/logout',
      '/identity/o/device',
    ]
    for (const path of paths) {
      const method = path.includes('/api/') ? 'POST' : 'GET'
      const response = await fetch(`${BASE_URL}${path}/`, { method, redirect: 'manual' })
      assert.equal(response.status, 404, `${method} ${path}/`)
    }
    const discovery = await fetch(`${BASE_URL}${PATH}/`)
    assert.deepEqual(await discovery.json(), {
      error: 'not_found',
      error_description: 'The page you are looking for does not exist.',
    })
  })

  test('other methods give 405 with Allow', async ({ assert }) => {
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
      const response = await fetch(`${BASE_URL}${PATH}`, { method })
      assert.equal(response.status, 405, method)
      assert.equal(response.headers.get('allow'), 'GET, HEAD, OPTIONS')
      assert.deepEqual(await response.json(), {
        error: 'invalid_request',
        error_description: 'Method not allowed.',
      })
    }
  })

  test('with APP_URL set, the Host and X-Forwarded-* headers change nothing', async ({
    assert,
  }) => {
    const { body } = await getWithHeaders(`${BASE_URL}${PATH}`, {
      'host': 'evil.example',
      'x-forwarded-host': 'evil.example',
      'x-forwarded-proto': 'https',
    })
    assert.deepEqual(entries(body), entries(expectedDocument(ISS)))
  })

  test('openid-client discovers the provider and accepts the document', async ({ assert }) => {
    const config = await client.discovery(new URL(ISS), 'any-client', 'any-secret', undefined, {
      execute: [client.allowInsecureRequests],
    })
    assert.deepEqual(entries(config.serverMetadata()), entries(expectedDocument(ISS)))
    assert.isTrue(config.serverMetadata().supportsPKCE())
  })
})

test.group('Discovery in a second app process', (group) => {
  group.each.timeout(60_000)

  test('IDP_OIDC_USERINFO_ENDPOINT is advertised and the built-in userinfo route is gone; PKCE plain is advertised when allowed', async ({
    assert,
    cleanup,
  }) => {
    const app = await startApp({
      IDP_OIDC_USERINFO_ENDPOINT: 'https://api.example/oidc/userinfo',
      IDP_OIDC_PKCE_ALLOW_PLAIN: 'true',
    })
    cleanup(() => app.stop())
    const document = (await (await fetch(`${app.url}${PATH}`)).json()) as Record<string, unknown>
    assert.deepEqual(
      entries(document),
      entries(
        expectedDocument(app.url, {
          userinfo_endpoint: 'https://api.example/oidc/userinfo',
          code_challenge_methods_supported: ['S256', 'plain'],
        })
      )
    )
    for (const method of ['GET', 'POST']) {
      assert.equal(
        (await fetch(`${app.url}/identity/o/api/userinfo`, { method })).status,
        404,
        method
      )
    }
    const config = await client.discovery(new URL(app.url), 'any-client', 'any-secret', undefined, {
      execute: [client.allowInsecureRequests],
    })
    assert.equal(config.serverMetadata().userinfo_endpoint, 'https://api.example/oidc/userinfo')
  })

  test('APP_URL unset: the issuer follows the Host header; X-Forwarded-* are ignored without a trusted proxy', async ({
    assert,
    cleanup,
  }) => {
    const app = await startApp({ APP_URL: '' })
    cleanup(() => app.stop())
    await assertIssuer(assert, app, {}, app.url)
    await assertIssuer(assert, app, { host: 'id.example:8443' }, 'http://id.example:8443')
    await assertIssuer(
      assert,
      app,
      { 'host': 'id.example', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' },
      'http://id.example'
    )

    /* The issuer openid-client asked for is the one it gets */
    const config = await client.discovery(new URL(app.url), 'any-client', 'any-secret', undefined, {
      execute: [client.allowInsecureRequests],
    })
    assert.equal(config.serverMetadata().issuer, app.url)
  })

  test('APP_URL unset and ALLAUTH_TRUSTED_PROXY_COUNT=1: X-Forwarded-Proto and -Host are believed', async ({
    assert,
    cleanup,
  }) => {
    const app = await startApp({ APP_URL: '', ALLAUTH_TRUSTED_PROXY_COUNT: '1' })
    cleanup(() => app.stop())
    await assertIssuer(
      assert,
      app,
      { 'host': 'internal:3000', 'x-forwarded-host': 'id.example', 'x-forwarded-proto': 'https' },
      'https://id.example'
    )
    await assertIssuer(assert, app, { host: 'id.example:8443' }, 'http://id.example:8443')
  })
})

async function assertIssuer(
  assert: Assert,
  app: AppProcess,
  headers: Record<string, string>,
  iss: string
) {
  const { status, body } = await getWithHeaders(`${app.url}${PATH}`, headers)
  assert.equal(status, 200)
  assert.deepEqual(entries(body), entries(expectedDocument(iss)), JSON.stringify(headers))
}
