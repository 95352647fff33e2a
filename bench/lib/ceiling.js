/**
 * The physical ceiling of JWT issuing: how many RS256 and ES256 signatures one
 * core makes per second with jose, one at a time (as our key store signs: a
 * KeyObject, a JWT of an access token's size).
 */
import { generateKeyPairSync } from 'node:crypto'
import { SignJWT } from 'jose'

const MAX_SIGNATURES = 1_000_000

async function signaturesPerSecond(alg, privateKey, seconds) {
  const claims = {
    iss: 'http://127.0.0.1:3601',
    aud: 'http://127.0.0.1:3601',
    client_id: '0123456789abcdef0123456789abcdef',
    scope: 'openid profile email',
    token_use: 'access',
    jti: '0123456789abcdef0123456789abcdef',
  }
  const sign = () =>
    new SignJWT({ ...claims, iat: Math.floor(Date.now() / 1000) })
      .setProtectedHeader({ alg, kid: 'bench', typ: 'at+jwt' })
      .sign(privateKey)
  /* warm-up: key import, JIT */
  for (let i = 0; i < 50; i++) await sign()
  const start = performance.now()
  const end = start + seconds * 1000
  let count = 0
  while (performance.now() < end && count < MAX_SIGNATURES) {
    await sign()
    count++
  }
  return count / ((performance.now() - start) / 1000)
}

export async function signingCeilings(seconds) {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey
  return {
    RS256: await signaturesPerSecond('RS256', rsa, seconds),
    ES256: await signaturesPerSecond('ES256', ec, seconds),
  }
}
