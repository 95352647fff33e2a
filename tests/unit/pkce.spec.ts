/**
 * PKCE (RFC 7636, RFC 9700 §2.1.1): the verifier check at the token endpoint,
 * and the challenge rules of the authorization request that decide what the
 * token endpoint later checks against.
 */
import { test } from '@japa/runner'
import { makeAdapter } from '#services/oidc/adapter/loader'
import { checkRedirectable } from '#services/oidc/authorize/request'
import { InvalidGrant, InvalidRequest, OAuthError } from '#services/oidc/protocol/errors'
import { decodeParams } from '#services/oidc/protocol/parameters'
import { checkCodeVerifier } from '#services/oidc/protocol/pkce'
import { REDIRECT } from '#tests/helpers/endpoints'
import { buildClient } from '#tests/helpers/factories'
import { thrown } from '#tests/helpers/thrown'
import { useSettings } from '#tests/helpers/tokens'

/** RFC 7636 Appendix B */
const RFC_VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk'
const RFC_CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM'
/** Every character RFC 7636 §4.1 allows in a verifier */
const UNRESERVED = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~'

function refusal(run: () => unknown) {
  return thrown(OAuthError, run).toJSON()
}

test.group('PKCE: the code verifier at the token endpoint', () => {
  test('S256 accepts the verifier of RFC 7636 Appendix B', ({ assert }) => {
    assert.doesNotThrow(() => checkCodeVerifier(RFC_CHALLENGE, 'S256', RFC_VERIFIER))
  })

  test('S256 refuses another verifier, and the challenge itself sent as the verifier', ({
    assert,
  }) => {
    const wrong = { error: 'invalid_grant', error_description: 'Invalid code verifier.' }
    assert.deepEqual(
      refusal(() => checkCodeVerifier(RFC_CHALLENGE, 'S256', `${RFC_VERIFIER.slice(0, -1)}l`)),
      wrong
    )
    assert.deepEqual(
      refusal(() => checkCodeVerifier(RFC_CHALLENGE, 'S256', RFC_CHALLENGE)),
      wrong
    )
  })

  test('plain compares the verifier with the challenge as it is', ({ assert }) => {
    assert.doesNotThrow(() => checkCodeVerifier(RFC_VERIFIER, 'plain', RFC_VERIFIER))
    assert.deepEqual(
      refusal(() => checkCodeVerifier(RFC_CHALLENGE, 'plain', RFC_VERIFIER)),
      { error: 'invalid_grant', error_description: 'Invalid code verifier.' },
      'an S256 challenge stored as plain does not accept the S256 verifier'
    )
  })

  test('a verifier of 43 to 128 unreserved characters is well-formed', ({ assert }) => {
    for (const verifier of [UNRESERVED.slice(0, 43), UNRESERVED.repeat(2).slice(0, 128)]) {
      assert.doesNotThrow(() => checkCodeVerifier(verifier, 'plain', verifier), verifier)
    }
  })

  test('a verifier too short, too long or with other characters is invalid_grant, even when it equals a plain challenge', ({
    assert,
  }) => {
    const malformed = [
      'a'.repeat(42),
      'a'.repeat(129),
      `${'a'.repeat(42)}+`,
      `${'a'.repeat(42)}/`,
      `${'a'.repeat(42)}=`,
      `${'a'.repeat(42)} `,
      `${'a'.repeat(42)}é`,
    ]
    for (const verifier of malformed) {
      assert.deepEqual(
        refusal(() => checkCodeVerifier(verifier, 'plain', verifier)),
        { error: 'invalid_grant', error_description: 'Invalid code verifier.' },
        JSON.stringify(verifier)
      )
    }
  })

  test('a code issued with a challenge needs a verifier: invalid_request', ({ assert }) => {
    const error = thrown(InvalidRequest, () => checkCodeVerifier(RFC_CHALLENGE, 'S256', undefined))
    assert.deepEqual(error.toJSON(), {
      error: 'invalid_request',
      error_description: 'Code verifier required.',
    })
  })

  test('a verifier for a code issued without a challenge is invalid_grant', ({ assert }) => {
    const error = thrown(InvalidGrant, () => checkCodeVerifier(null, null, RFC_VERIFIER))
    assert.equal(error.description, 'Code verifier without code challenge.')
  })

  test('a code issued without a challenge is redeemed without a verifier', ({ assert }) => {
    assert.doesNotThrow(() => checkCodeVerifier(null, null, undefined))
  })
})

/** The PKCE outcome of an authorization request for a code, or the error it is refused with */
async function challengeOf(
  query: Record<string, string>,
  type: 'confidential' | 'public' = 'confidential'
) {
  const client = buildClient({ type, scopes: ['openid'] })
  const params = { response_type: 'code', scope: 'openid', ...query }
  const raw = decodeParams(new URLSearchParams(params).toString())
  const target = { client, redirectUri: REDIRECT, params }
  try {
    const request = await checkRedirectable(raw, target, makeAdapter(null), null, false)
    return { challenge: request.codeChallenge, method: request.codeChallengeMethod }
  } catch (error) {
    if (error instanceof OAuthError) return error.toJSON()
    throw error
  }
}

test.group('PKCE: the code challenge at the authorization endpoint', () => {
  test('an S256 challenge is kept with its method', async ({ assert }) => {
    assert.deepEqual(
      await challengeOf({ code_challenge: RFC_CHALLENGE, code_challenge_method: 'S256' }),
      { challenge: RFC_CHALLENGE, method: 'S256' }
    )
  })

  test('plain is refused unless IDP_OIDC_PKCE_ALLOW_PLAIN allows it', async ({
    assert,
    cleanup,
  }) => {
    const refused = {
      error: 'invalid_request',
      error_description: 'Code challenge method plain is not allowed; use S256.',
    }
    const plain = { code_challenge: RFC_VERIFIER, code_challenge_method: 'plain' }
    useSettings(cleanup, { pkceAllowPlain: false })
    assert.deepEqual(await challengeOf(plain), refused)
    assert.deepEqual(
      await challengeOf({ code_challenge: RFC_VERIFIER }),
      refused,
      'an absent method means plain (RFC 7636 §4.3)'
    )
    useSettings(cleanup, { pkceAllowPlain: true })
    assert.deepEqual(await challengeOf(plain), { challenge: RFC_VERIFIER, method: 'plain' })
    assert.deepEqual(await challengeOf({ code_challenge: RFC_VERIFIER }), {
      challenge: RFC_VERIFIER,
      method: 'plain',
    })
  })

  test('another transform is refused', async ({ assert }) => {
    assert.deepEqual(
      await challengeOf({ code_challenge: RFC_CHALLENGE, code_challenge_method: 'S512' }),
      { error: 'invalid_request', error_description: 'Transform algorithm not supported.' }
    )
  })

  test('a challenge outside 43 to 128 unreserved characters is refused', async ({ assert }) => {
    for (const challenge of ['a'.repeat(42), 'a'.repeat(129), `${RFC_CHALLENGE.slice(1)}=`]) {
      assert.deepEqual(
        await challengeOf({ code_challenge: challenge, code_challenge_method: 'S256' }),
        { error: 'invalid_request', error_description: 'Invalid code_challenge parameter.' },
        challenge
      )
    }
  })

  test('a public client must send a challenge; a confidential one may omit it', async ({
    assert,
  }) => {
    assert.deepEqual(await challengeOf({}, 'public'), {
      error: 'invalid_request',
      error_description: 'Code challenge required.',
    })
    assert.deepEqual(await challengeOf({}), { challenge: null, method: null })
  })
})
