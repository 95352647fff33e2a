import { test } from '@japa/runner'
import { REVOKE } from '#tests/helpers/endpoints'
import { createClient } from '#tests/helpers/factories'
import { discoverAs, oidc } from '#tests/helpers/relying_party'
import {
  apiPost,
  clientRows,
  codeFlow,
  failure,
  familyRows,
  json,
  tokenRow,
} from '#tests/helpers/tokens'
import { errorBody } from '#tests/helpers/oauth_errors'

test.group('Token revocation', () => {
  test('a revoked access token is refused by userinfo; the rest of its family lives on', async ({
    assert,
  }) => {
    const { config, tokens } = await codeFlow()
    await oidc.tokenRevocation(config, tokens.access_token)
    const seen = await failure(
      oidc.fetchUserInfo(config, tokens.access_token, oidc.skipSubjectCheck)
    )
    assert.equal(seen.status, 401)
    assert.equal((seen.body as { error: string }).error, 'invalid_token')

    assert.isNotNull((await tokenRow(tokens.access_token)).revokedAt)
    const refreshRow = await tokenRow(tokens.refresh_token!)
    assert.isNull(refreshRow.revokedAt)
    assert.isString((await oidc.refreshTokenGrant(config, tokens.refresh_token!)).access_token)
  })

  test('a revoked refresh token takes its family with it, access tokens included', async ({
    assert,
  }) => {
    const { config, tokens } = await codeFlow()
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!)
    await oidc.tokenRevocation(config, refreshed.refresh_token!)

    const rows = await familyRows((await tokenRow(tokens.refresh_token!)).familyId)
    assert.lengthOf(rows, 4)
    assert.isTrue(rows.every((row) => row.revokedAt !== null))
    for (const accessToken of [tokens.access_token, refreshed.access_token]) {
      assert.equal(
        (await failure(oidc.fetchUserInfo(config, accessToken, oidc.skipSubjectCheck))).status,
        401
      )
    }
    const seen = await failure(oidc.refreshTokenGrant(config, refreshed.refresh_token!))
    assert.deepEqual(seen.body, errorBody('invalid_grant'))
  })

  test('another client token is left alone, and the answer is still 200', async ({ assert }) => {
    const { person, config, tokens } = await codeFlow()
    const other = await createClient()
    const otherConfig = await discoverAs(other, 'post')
    for (const token of [tokens.access_token, tokens.refresh_token!]) {
      await oidc.tokenRevocation(otherConfig, token)
      assert.isNull((await tokenRow(token)).revokedAt)
    }
    assert.equal(
      (await oidc.fetchUserInfo(config, tokens.access_token, String(person.user.id))).sub,
      String(person.user.id)
    )
  })

  test('an unknown token gives 200 with an empty body and no-store headers', async ({ assert }) => {
    const rp = await createClient()
    const page = await apiPost(REVOKE, { token: 'no-such-token' }, rp)
    assert.equal(page.status, 200)
    assert.equal(page.body, '')
    assert.equal(page.headers.get('cache-control'), 'no-store')
    assert.equal(page.headers.get('pragma'), 'no-cache')
    assert.lengthOf(await clientRows(rp.id), 0)
  })

  test('token_type_hint only orders the search: a wrong or unknown hint is ignored', async ({
    assert,
  }) => {
    const { rp, tokens } = await codeFlow()
    const wrong = await apiPost(
      REVOKE,
      { token: tokens.access_token, token_type_hint: 'refresh_token' },
      rp
    )
    assert.equal(wrong.status, 200)
    assert.isNotNull((await tokenRow(tokens.access_token)).revokedAt)
    assert.isNull((await tokenRow(tokens.refresh_token!)).revokedAt)

    const unknown = await apiPost(
      REVOKE,
      { token: tokens.refresh_token!, token_type_hint: 'id_token' },
      rp
    )
    assert.equal(unknown.status, 200)
    assert.equal(unknown.body, '')
    assert.isNotNull((await tokenRow(tokens.refresh_token!)).revokedAt)
  })

  test('a missing token gives invalid_request "Missing token parameter."', async ({ assert }) => {
    const { rp, tokens } = await codeFlow()
    const page = await apiPost(REVOKE, { token_type_hint: 'access_token' }, rp)
    assert.equal(page.status, 400)
    assert.deepEqual(json(page), {
      error: 'invalid_request',
      error_description: 'Missing token parameter.',
    })
    assert.equal(page.headers.get('cache-control'), 'no-store')
    assert.isNull((await tokenRow(tokens.access_token)).revokedAt)
  })

  test('client authentication failures are 401 invalid_client and revoke nothing', async ({
    assert,
  }) => {
    const { rp, tokens } = await codeFlow()
    const wrongSecret = await apiPost(
      REVOKE,
      { token: tokens.access_token },
      { ...rp, secret: 'wrong' }
    )
    assert.equal(wrongSecret.status, 401)
    assert.deepEqual(json(wrongSecret), errorBody('invalid_client'))
    assert.match(wrongSecret.headers.get('www-authenticate')!, /^Basic realm="/)
    assert.equal(wrongSecret.headers.get('cache-control'), 'no-store')

    const noClient = await apiPost(REVOKE, { token: tokens.access_token })
    assert.equal(noClient.status, 401)
    assert.deepEqual(json(noClient), errorBody('invalid_client'))
    assert.equal(noClient.headers.get('www-authenticate'), 'Bearer error="invalid_client"')

    const publicClaim = await apiPost(REVOKE, { token: tokens.access_token, client_id: rp.id })
    assert.equal(publicClaim.status, 401, 'a confidential client cannot skip its secret')
    assert.deepEqual(json(publicClaim), errorBody('invalid_client'))

    assert.isNull((await tokenRow(tokens.access_token)).revokedAt)
    assert.isNull((await tokenRow(tokens.refresh_token!)).revokedAt)
  })

  test('a public client revokes its own tokens with client_id alone', async ({ assert }) => {
    const { config, tokens } = await codeFlow({ auth: 'none' })
    await oidc.tokenRevocation(config, tokens.refresh_token!)
    const rows = await familyRows((await tokenRow(tokens.refresh_token!)).familyId)
    assert.isTrue(rows.every((row) => row.revokedAt !== null))
  })
})
