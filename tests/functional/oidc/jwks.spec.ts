import { createPrivateKey, createPublicKey } from 'node:crypto'
import { test } from '@japa/runner'
import * as client from 'openid-client'
import {
  SignJWT,
  calculateJwkThumbprint,
  createRemoteJWKSet,
  decodeProtectedHeader,
  jwtVerify,
  type JWK,
} from 'jose'
import encryption from '@adonisjs/core/services/encryption'
import OidcSigningKey from '#models/oidc_signing_key'
import keyStore from '#services/oidc/keys/key_store'
import { generatePrivateKey } from '#services/oidc/keys/signing_keys'
import type { SigningAlg } from '#config/oidc'
import { BASE_URL } from '#tests/helpers/browser'
import { createClient } from '#tests/helpers/factories'
import { startApp } from '#tests/helpers/app_process'
import { keepSigningKeys, storeFor } from '#tests/helpers/signing_keys'

const JWKS_URL = `${BASE_URL}/.well-known/jwks.json`

/** docs/endpoints.md#jwks: the members of each key type, in order */
const MEMBERS: Record<string, string[]> = {
  RSA: ['kty', 'kid', 'alg', 'key_ops', 'n', 'e'],
  EC: ['kty', 'kid', 'alg', 'key_ops', 'crv', 'x', 'y'],
  OKP: ['kty', 'kid', 'alg', 'key_ops', 'crv', 'x'],
}
const KTY: Record<SigningAlg, string> = { RS256: 'RSA', ES256: 'EC', EdDSA: 'OKP' }
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k']

async function served(url = JWKS_URL): Promise<JWK[]> {
  const response = await fetch(url)
  return ((await response.json()) as { keys: JWK[] }).keys
}

/** The signing key of `alg` in the run's database, generating one (removed after the test) when there is none */
async function keyOf(alg: SigningAlg) {
  const store = storeFor(alg)
  const existing = await store.signingKey().catch(() => null)
  return existing?.kid ?? (await keyStore.generate(alg)).kid
}

test.group('JWKS endpoint (docs/endpoints.md#jwks)', (group) => {
  group.each.setup(async () => keepSigningKeys())

  test('200 JSON with public caching and CORS *; OPTIONS 204; HEAD', async ({ assert }) => {
    const response = await fetch(JWKS_URL)
    assert.equal(response.status, 200)
    assert.match(response.headers.get('content-type')!, /^application\/json\b/)
    assert.equal(response.headers.get('cache-control'), 'public, max-age=300')
    assert.equal(response.headers.get('access-control-allow-origin'), '*')
    assert.isNull(response.headers.get('set-cookie'))
    const body = (await response.json()) as { keys: JWK[] }
    assert.deepEqual(Object.keys(body), ['keys'])
    assert.isAbove(body.keys.length, 0)

    const preflight = await fetch(JWKS_URL, {
      method: 'OPTIONS',
      headers: { 'origin': 'https://any.example', 'access-control-request-method': 'GET' },
    })
    assert.equal(preflight.status, 204)
    assert.equal(preflight.headers.get('access-control-allow-origin'), '*')
    assert.equal(await preflight.text(), '')

    const head = await fetch(JWKS_URL, { method: 'HEAD' })
    assert.equal(head.status, 200)
    assert.equal(head.headers.get('access-control-allow-origin'), '*')
    assert.equal(head.headers.get('cache-control'), 'public, max-age=300')
    assert.equal(await head.text(), '')
  })

  test('a trailing slash gives 404; other methods 405 with Allow', async ({ assert }) => {
    for (const method of ['GET', 'OPTIONS', 'POST']) {
      const response = await fetch(`${JWKS_URL}/`, { method })
      assert.equal(response.status, 404, method)
      assert.isNull(response.headers.get('allow'))
    }
    for (const method of ['POST', 'PUT', 'DELETE']) {
      const response = await fetch(JWKS_URL, { method })
      assert.equal(response.status, 405, method)
      assert.equal(response.headers.get('allow'), 'GET, HEAD, OPTIONS')
      assert.deepEqual(await response.json(), {
        error: 'invalid_request',
        error_description: 'Method not allowed.',
      })
    }
  })

  test('every key type: members in order, no private member, kid = RFC 7638 thumbprint of the stored key', async ({
    assert,
  }) => {
    const kids = {
      RS256: await keyOf('RS256'),
      ES256: await keyOf('ES256'),
      EdDSA: await keyOf('EdDSA'),
    }
    const keys = await served()
    assert.equal(keys[0].kid, kids.RS256, 'the configured algorithm signs; its key comes first')

    for (const [alg, kid] of Object.entries(kids) as [SigningAlg, string][]) {
      const jwk = keys.find((key) => key.kid === kid)!
      assert.exists(jwk, alg)
      assert.deepEqual(Object.keys(jwk), MEMBERS[KTY[alg]], alg)
      assert.deepInclude(jwk, { kty: KTY[alg], alg, key_ops: ['verify'] })
      if (alg === 'ES256') assert.equal(jwk.crv, 'P-256')
      if (alg === 'EdDSA') assert.equal(jwk.crv, 'Ed25519')
      assert.equal(await calculateJwkThumbprint(jwk, 'sha256'), kid, alg)
      assert.match(kid, /^[A-Za-z0-9_-]{43}$/)

      /* The published key is the public half of the stored private key */
      const row = await OidcSigningKey.findByOrFail('kid', kid)
      const stored = createPublicKey(
        createPrivateKey(encryption.decrypt<string>(row.privateKey)!)
      ).export({ format: 'jwk' })
      assert.deepEqual(
        { ...stored },
        Object.fromEntries(Object.entries(jwk).filter(([name]) => name in stored)),
        alg
      )
    }
    for (const key of keys) {
      assert.deepEqual(
        PRIVATE_MEMBERS.filter((name) => name in key),
        [],
        key.kid
      )
      assert.sameMembers(Object.keys(key), MEMBERS[key.kty!])
    }
  })

  test('a token signed with the {$self} key verifies against the served JWKS')
    .with(['RS256', 'ES256', 'EdDSA'] as SigningAlg[])
    .run(async ({ assert }, alg) => {
      const kid = await keyOf(alg)
      const jwt = await storeFor(alg).sign({ iss: BASE_URL, sub: '42', aud: 'rp' }, 'JWT')
      assert.deepEqual(decodeProtectedHeader(jwt), { alg, kid, typ: 'JWT' })

      const { payload, protectedHeader } = await jwtVerify(
        jwt,
        createRemoteJWKSet(new URL(JWKS_URL)),
        { issuer: BASE_URL, audience: 'rp', algorithms: [alg] }
      )
      assert.equal(payload.sub, '42')
      assert.equal(protectedHeader.kid, kid)

      /* The same header signed by a key that is not published does not verify */
      const forged = await new SignJWT({ iss: BASE_URL, sub: '42', aud: 'rp' })
        .setProtectedHeader({ alg, kid, typ: 'JWT' })
        .sign(generatePrivateKey(alg))
      await assert.rejects(
        () => jwtVerify(forged, createRemoteJWKSet(new URL(JWKS_URL))),
        /signature verification failed/
      )
    })
})

test.group('JWKS with IDP_OIDC_SIGNING_ALG (second app process)', (group) => {
  group.each.setup(async () => keepSigningKeys())
  group.each.timeout(60_000)

  test('{$self}: discovery advertises it, the JWKS lists its key first, and issued JWTs verify')
    .with(['ES256', 'EdDSA'] as SigningAlg[])
    .run(async ({ assert, cleanup }, alg) => {
      const kid = await keyOf(alg)
      const app = await startApp({ IDP_OIDC_SIGNING_ALG: alg, IDP_OIDC_ACCESS_TOKEN_FORMAT: 'jwt' })
      cleanup(() => app.stop())

      const keys = await served(`${app.url}/.well-known/jwks.json`)
      assert.equal(keys[0].kid, kid)
      assert.deepEqual(Object.keys(keys[0]), MEMBERS[KTY[alg]])

      const rp = await createClient({ grantTypes: ['client_credentials'], scopes: ['profile'] })
      const config = await client.discovery(new URL(app.url), rp.id, rp.secret!, undefined, {
        execute: [client.allowInsecureRequests],
      })
      assert.deepEqual(config.serverMetadata().id_token_signing_alg_values_supported, [alg])
      const tokens = await client.clientCredentialsGrant(config, { scope: 'profile' })
      assert.deepEqual(decodeProtectedHeader(tokens.access_token), { alg, kid, typ: 'at+jwt' })

      const { payload } = await jwtVerify(
        tokens.access_token,
        createRemoteJWKSet(new URL(config.serverMetadata().jwks_uri!)),
        {
          issuer: app.url,
          algorithms: [alg],
          typ: 'at+jwt',
        }
      )
      assert.equal(payload.client_id, rp.id)
      assert.equal(payload.scope, 'profile')
    })
})
