import {
  createHash,
  createPublicKey,
  generateKeyPairSync,
  type JsonWebKey,
  type KeyObject,
} from 'node:crypto'
import { test } from '@japa/runner'
import * as client from 'openid-client'
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify, type JWK } from 'jose'
import type { SigningAlg } from '#config/oidc'
import { startApp } from '#tests/helpers/app_process'
import { createClient } from '#tests/helpers/factories'

/** RFC 7638 by hand (required members, sorted, no whitespace), independent of the app's jose call */
function thumbprint(jwk: JsonWebKey) {
  const required =
    jwk.kty === 'RSA'
      ? ['e', 'kty', 'n']
      : jwk.kty === 'EC'
        ? ['crv', 'kty', 'x', 'y']
        : ['crv', 'kty', 'x']
  const canonical = JSON.stringify(
    Object.fromEntries(required.map((name) => [name, jwk[name as keyof JsonWebKey]]))
  )
  return createHash('sha256').update(canonical).digest('base64url')
}

type Case = { name: string; alg: SigningAlg; key: KeyObject; pem: string; members: string[] }

function rsaPkcs1(): Case {
  const key = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey
  return {
    name: 'RSA, PKCS#1 with real newlines',
    alg: 'RS256',
    key,
    pem: key.export({ type: 'pkcs1', format: 'pem' }) as string,
    members: ['kty', 'kid', 'alg', 'key_ops', 'n', 'e'],
  }
}

function p256Escaped(): Case {
  const key = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey
  const pem = (key.export({ type: 'pkcs8', format: 'pem' }) as string).trim().replace(/\n/g, '\\n')
  return {
    name: 'P-256, PKCS#8 with \\n escapes',
    alg: 'ES256',
    key,
    pem,
    members: ['kty', 'kid', 'alg', 'key_ops', 'crv', 'x', 'y'],
  }
}

function ed25519(): Case {
  const key = generateKeyPairSync('ed25519').privateKey
  return {
    name: 'Ed25519, PKCS#8',
    alg: 'EdDSA',
    key,
    pem: key.export({ type: 'pkcs8', format: 'pem' }) as string,
    members: ['kty', 'kid', 'alg', 'key_ops', 'crv', 'x'],
  }
}

test.group('IDP_OIDC_PRIVATE_KEY (docs/tokens.md#signing-keys, second app process)', (group) => {
  group.each.timeout(60_000)

  test('{name}: the JWKS publishes exactly that key, kid = thumbprint, and it signs')
    .with([rsaPkcs1(), p256Escaped(), ed25519()])
    .run(async ({ assert, cleanup }, { alg, key, pem, members }) => {
      assert.equal(pem.includes('\n'), !pem.includes('\\n'), 'real newlines, or \\n escapes alone')
      const app = await startApp({
        IDP_OIDC_PRIVATE_KEY: pem,
        IDP_OIDC_SIGNING_ALG: undefined,
        IDP_OIDC_ACCESS_TOKEN_FORMAT: 'jwt',
      })
      cleanup(() => app.stop())

      const publicJwk = createPublicKey(key).export({ format: 'jwk' })
      const kid = thumbprint(publicJwk)
      const { keys } = (await (await fetch(`${app.url}/.well-known/jwks.json`)).json()) as {
        keys: JWK[]
      }
      assert.lengthOf(keys, 1, 'the database keys are not published')
      assert.deepEqual(Object.keys(keys[0]), members)
      assert.deepEqual(keys[0], {
        kty: publicJwk.kty,
        kid,
        alg,
        key_ops: ['verify'],
        ...publicJwk,
      } as JWK)

      const rp = await createClient({ grantTypes: ['client_credentials'], scopes: ['profile'] })
      const config = await client.discovery(new URL(app.url), rp.id, rp.secret!, undefined, {
        execute: [client.allowInsecureRequests],
      })
      assert.deepEqual(
        config.serverMetadata().id_token_signing_alg_values_supported,
        [alg],
        'the key type decides the algorithm'
      )
      const tokens = await client.clientCredentialsGrant(config, { scope: 'profile' })
      assert.deepEqual(decodeProtectedHeader(tokens.access_token), { alg, kid, typ: 'at+jwt' })
      const { payload } = await jwtVerify(
        tokens.access_token,
        createRemoteJWKSet(new URL(`${app.url}/.well-known/jwks.json`)),
        { issuer: app.url, algorithms: [alg] }
      )
      assert.equal(payload.client_id, rp.id)
    })

  test("IDP_OIDC_SIGNING_ALG naming the key's own algorithm is accepted", async ({
    assert,
    cleanup,
  }) => {
    const { pem, key } = ed25519()
    const app = await startApp({ IDP_OIDC_PRIVATE_KEY: pem, IDP_OIDC_SIGNING_ALG: 'EdDSA' })
    cleanup(() => app.stop())
    const { keys } = (await (await fetch(`${app.url}/.well-known/jwks.json`)).json()) as {
      keys: JWK[]
    }
    assert.deepEqual(
      keys.map((jwk) => jwk.kid),
      [thumbprint(createPublicKey(key).export({ format: 'jwk' }))]
    )
  })
})
