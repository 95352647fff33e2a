import { test } from '@japa/runner'
import { DateTime } from 'luxon'
import { sqlTime } from '#models/columns'
import EmailAddress from '#models/email_address'
import OidcToken from '#models/oidc_token'
import { createClient, createUser } from '#tests/helpers/factories'
import { discoverAs, oidc } from '#tests/helpers/relying_party'
import keyStore from '#services/oidc/keys/key_store'
import { loadAdapter } from '#services/oidc/adapter/loader'
import {
  codeFlow,
  failure,
  familyRows,
  halfHash,
  tokenRow,
  useSettings,
} from '#tests/helpers/tokens'
import { errorBody } from '#tests/helpers/oauth_errors'

const INVALID_GRANT = { status: 400, body: errorBody('invalid_grant'), wwwAuthenticate: null }

function userinfoRefused(config: oidc.Configuration, accessToken: string) {
  return failure(oidc.fetchUserInfo(config, accessToken, oidc.skipSubjectCheck)).then(
    (seen) => seen.status === 401 && (seen.body as { error: string }).error === 'invalid_token'
  )
}

test.group('Refresh token grant', () => {
  test('rotates by default: a new RT whose row points at the rotated one, in the same family', async ({
    assert,
  }) => {
    const { config, tokens } = await codeFlow()
    const old = await tokenRow(tokens.refresh_token!)
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!)
    assert.isString(refreshed.refresh_token)
    assert.notEqual(refreshed.refresh_token, tokens.refresh_token)
    assert.equal(refreshed.scope, 'openid profile email')

    await old.refresh()
    assert.isNotNull(old.rotatedAt)
    assert.isNull(old.revokedAt)
    const fresh = await tokenRow(refreshed.refresh_token!)
    assert.equal(fresh.type, 'rt')
    assert.equal(fresh.parentId, old.id)
    assert.equal(fresh.familyId, old.familyId)
    assert.deepEqual(fresh.scopes, old.scopes)
    assert.isNull(fresh.rotatedAt)
    const accessRow = await tokenRow(refreshed.access_token)
    assert.equal(accessRow.familyId, old.familyId)
    assert.lengthOf(await familyRows(old.familyId), 4, 'the first AT and RT, the new AT and RT')
  })

  test('replaying a rotated-out RT gives invalid_grant and revokes the whole family', async ({
    assert,
  }) => {
    const { config, tokens } = await codeFlow()
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!)

    assert.deepEqual(
      await failure(oidc.refreshTokenGrant(config, tokens.refresh_token!)),
      INVALID_GRANT
    )
    const rows = await familyRows((await tokenRow(tokens.refresh_token!)).familyId)
    assert.lengthOf(rows, 4, 'the replay issued nothing')
    assert.isTrue(rows.every((row) => row.revokedAt !== null))

    assert.isTrue(await userinfoRefused(config, tokens.access_token), 'the first access token')
    assert.isTrue(await userinfoRefused(config, refreshed.access_token), 'the new access token')
    assert.deepEqual(
      await failure(oidc.refreshTokenGrant(config, refreshed.refresh_token!)),
      INVALID_GRANT
    )
  })

  test('an RT presented by another client gives invalid_grant and still works for its own client', async ({
    assert,
  }) => {
    const { config, tokens } = await codeFlow()
    const other = await createClient()
    const otherConfig = await discoverAs(other, 'basic')

    assert.deepEqual(
      await failure(oidc.refreshTokenGrant(otherConfig, tokens.refresh_token!)),
      INVALID_GRANT
    )
    const row = await tokenRow(tokens.refresh_token!)
    assert.isNull(row.rotatedAt)
    assert.isNull(row.revokedAt)
    assert.lengthOf(await familyRows(row.familyId), 2)
    assert.lengthOf(await OidcToken.query().where('client_id', other.id), 0)

    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!)
    assert.isString(refreshed.access_token)
  })

  test('a scope wider than the RT gives invalid_scope and changes nothing', async ({ assert }) => {
    const { config, tokens } = await codeFlow({ scope: 'openid email' })
    const seen = await failure(
      oidc.refreshTokenGrant(config, tokens.refresh_token!, { scope: 'openid email profile' })
    )
    assert.deepEqual(seen, { status: 400, body: errorBody('invalid_scope'), wwwAuthenticate: null })
    const row = await tokenRow(tokens.refresh_token!)
    assert.isNull(row.rotatedAt)
    assert.isNull(row.revokedAt)
    assert.lengthOf(await familyRows(row.familyId), 2)
  })

  test('a narrower scope narrows only the new AT; the new RT keeps the original scopes', async ({
    assert,
  }) => {
    const { config, tokens } = await codeFlow({ scope: 'openid profile email' })
    const narrowed = await oidc.refreshTokenGrant(config, tokens.refresh_token!, { scope: 'email' })
    assert.equal(narrowed.scope, 'email')
    assert.isUndefined(narrowed.id_token, 'no openid in the new AT, so no ID token')
    assert.deepEqual((await tokenRow(narrowed.access_token)).scopes, ['email'])
    assert.deepEqual((await tokenRow(narrowed.refresh_token!)).scopes, [
      'openid',
      'profile',
      'email',
    ])

    const full = await oidc.refreshTokenGrant(config, narrowed.refresh_token!)
    assert.equal(full.scope, 'openid profile email')
    assert.deepEqual((await tokenRow(full.access_token)).scopes, ['openid', 'profile', 'email'])
  })

  test('a refresh returns a new ID token with the original auth_time and sid, the email chosen at consent, and at_hash', async ({
    assert,
  }) => {
    const person = await createUser()
    await EmailAddress.create({
      userId: person.user.id,
      email: `other-${person.user.id}@example.com`,
      verified: true,
      primary: false,
    })
    const { config, tokens } = await codeFlow({
      person,
      scope: 'openid email',
      consent: { email: `other-${person.user.id}@example.com` },
    })
    const first = tokens.claims()!

    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!)
    const claims = refreshed.claims()!
    assert.notEqual(refreshed.id_token, tokens.id_token)
    assert.equal(claims.sub, String(person.user.id))
    assert.equal(claims.auth_time, first.auth_time)
    assert.equal(claims.sid, first.sid)
    assert.equal(claims.email, `other-${person.user.id}@example.com`)
    assert.equal(claims.at_hash, halfHash(refreshed.access_token))
    assert.notProperty(claims, 'nonce')
    const stored = await tokenRow(refreshed.refresh_token!)
    assert.deepEqual(stored.data, { email: `other-${person.user.id}@example.com` })
  })

  test('a client without the refresh_token grant gets no RT, and a refresh gives unauthorized_client', async ({
    assert,
  }) => {
    const { rp, config, tokens } = await codeFlow({
      client: { grantTypes: ['authorization_code'] },
    })
    assert.isUndefined(tokens.refresh_token)
    const rows = await OidcToken.query().where('client_id', rp.id)
    assert.deepEqual(
      rows.map((row) => row.type),
      ['at']
    )

    const someone = await codeFlow()
    const seen = await failure(oidc.refreshTokenGrant(config, someone.tokens.refresh_token!))
    assert.deepEqual(seen, {
      status: 400,
      body: errorBody('unauthorized_client'),
      wwwAuthenticate: null,
    })
    const untouched = await tokenRow(someone.tokens.refresh_token!)
    assert.isNull(untouched.rotatedAt)
    assert.isNull(untouched.revokedAt)
    assert.lengthOf(await OidcToken.query().where('client_id', rp.id), 1)
  })

  test('two concurrent refreshes with one RT (grace 0): exactly one 200 and the family ends revoked', async ({
    assert,
  }) => {
    const { config, tokens } = await codeFlow()
    const outcomes = await Promise.allSettled([
      oidc.refreshTokenGrant(config, tokens.refresh_token!),
      oidc.refreshTokenGrant(config, tokens.refresh_token!),
    ])
    const won = outcomes.filter((outcome) => outcome.status === 'fulfilled')
    const lost = outcomes.filter((outcome) => outcome.status === 'rejected')
    assert.lengthOf(won, 1)
    assert.lengthOf(lost, 1)
    assert.deepEqual(await failure(Promise.reject(lost[0].reason)), INVALID_GRANT)

    const rows = await familyRows((await tokenRow(tokens.refresh_token!)).familyId)
    assert.lengthOf(rows, 4, 'only the winner issued tokens')
    assert.isTrue(rows.every((row) => row.revokedAt !== null))
    assert.isTrue(await userinfoRefused(config, won[0].value.access_token))
  })

  test('the RT of an inactive user gives invalid_grant and is left as it was', async ({
    assert,
  }) => {
    const { person, config, tokens } = await codeFlow()
    person.user.isActive = false
    await person.user.save()
    assert.deepEqual(
      await failure(oidc.refreshTokenGrant(config, tokens.refresh_token!)),
      INVALID_GRANT
    )
    const row = await tokenRow(tokens.refresh_token!)
    assert.isNull(row.rotatedAt)
    assert.isNull(row.revokedAt)
    assert.lengthOf(await familyRows(row.familyId), 2)
  })

  test('a revoked RT gives invalid_grant and issues nothing', async ({ assert }) => {
    const { config, tokens } = await codeFlow()
    await oidc.tokenRevocation(config, tokens.refresh_token!)
    assert.deepEqual(
      await failure(oidc.refreshTokenGrant(config, tokens.refresh_token!)),
      INVALID_GRANT
    )
    const row = await tokenRow(tokens.refresh_token!)
    assert.isNull(row.rotatedAt)
    assert.isNotNull(row.revokedAt)
    assert.lengthOf(await familyRows(row.familyId), 2)
  })

  test('an unknown RT gives invalid_grant', async ({ assert }) => {
    const { rp, config } = await codeFlow()
    assert.deepEqual(await failure(oidc.refreshTokenGrant(config, 'x'.repeat(86))), INVALID_GRANT)
    assert.lengthOf(await OidcToken.query().where('client_id', rp.id), 2)
  })

  test('earlier access tokens stay valid after a normal refresh (compat)', async ({ assert }) => {
    const { person, config, tokens } = await codeFlow()
    await oidc.refreshTokenGrant(config, tokens.refresh_token!)
    const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, String(person.user.id))
    assert.equal(userinfo.sub, String(person.user.id))
    assert.isNull((await tokenRow(tokens.access_token)).revokedAt)
  })

  test('without rotation the same RT comes back and its row is not rotated', async ({
    assert,
    cleanup,
  }) => {
    useSettings(cleanup, { rotateRefreshToken: false })
    const { config, tokens } = await codeFlow()
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!)
    assert.equal(refreshed.refresh_token, tokens.refresh_token)
    const row = await tokenRow(tokens.refresh_token!)
    assert.isNull(row.rotatedAt)
    assert.deepEqual(
      (await familyRows(row.familyId)).map((entry) => entry.type),
      ['at', 'rt', 'at']
    )
  })

  test('public clients rotate even with rotation off', async ({ assert, cleanup }) => {
    useSettings(cleanup, { rotateRefreshToken: false })
    const { config, tokens } = await codeFlow({ auth: 'none' })
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!)
    assert.notEqual(refreshed.refresh_token, tokens.refresh_token)
    assert.isNotNull((await tokenRow(tokens.refresh_token!)).rotatedAt)
    assert.deepEqual(
      await failure(oidc.refreshTokenGrant(config, tokens.refresh_token!)),
      INVALID_GRANT
    )
    assert.isNotNull((await tokenRow(refreshed.refresh_token!)).revokedAt)
  })

  test('within the grace period a rotated RT refreshes again without revoking anything', async ({
    assert,
    cleanup,
  }) => {
    useSettings(cleanup, { refreshTokenGracePeriod: 60 })
    const { config, tokens } = await codeFlow()
    const first = await oidc.refreshTokenGrant(config, tokens.refresh_token!)
    const again = await oidc.refreshTokenGrant(config, tokens.refresh_token!)
    assert.notEqual(again.refresh_token, first.refresh_token)
    const rows = await familyRows((await tokenRow(tokens.refresh_token!)).familyId)
    assert.lengthOf(rows, 6)
    assert.isTrue(rows.every((row) => row.revokedAt === null))
    assert.equal((await tokenRow(again.refresh_token!)).parentId, rows[1].id)
  })

  test('with an absolute RT lifetime, no RT of the family works after it, rotated ones included', async ({
    assert,
    cleanup,
  }) => {
    useSettings(cleanup, { refreshTokenExpiresIn: 3600 })
    const { config, tokens } = await codeFlow()
    const original = await tokenRow(tokens.refresh_token!)
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!)
    const rotated = await tokenRow(refreshed.refresh_token!)
    assert.equal(
      rotated.expiresAt!.toSeconds(),
      original.expiresAt!.toSeconds(),
      'rotation does not extend the lifetime'
    )

    await OidcToken.query()
      .where('family_id', original.familyId)
      .where('type', 'rt')
      .update({ expires_at: sqlTime(DateTime.utc().minus({ seconds: 1 })) })
    assert.deepEqual(
      await failure(oidc.refreshTokenGrant(config, refreshed.refresh_token!)),
      INVALID_GRANT
    )
    const after = await tokenRow(refreshed.refresh_token!)
    assert.isNull(after.rotatedAt)
    assert.isNull(after.revokedAt)
    assert.lengthOf(await familyRows(original.familyId), 4)
  })

  test('with JWT access tokens, a refresh that must reload the signing keys still answers (SQLite has one connection)', async ({
    assert,
    cleanup,
  }) => {
    useSettings(cleanup, { accessTokenFormat: 'jwt' })
    const { config, tokens } = await codeFlow()
    const load = keyStore.load
    /* as if the key cache had just run out: every signature reads the keys from the DB */
    keyStore.load = () => load.call(keyStore, true)
    cleanup(() => void (keyStore.load = load))
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!)
    assert.equal(
      (await tokenRow(refreshed.access_token)).jti,
      JSON.parse(Buffer.from(refreshed.access_token.split('.')[1], 'base64url').toString()).jti
    )
    assert.isNotNull((await tokenRow(tokens.refresh_token!)).rotatedAt)
  }).timeout(10_000)

  test('a failing adapter hook gives 500 server_error and leaves the RT as it was (no partial writes)', async ({
    assert,
    cleanup,
  }) => {
    const { person, config, tokens } = await codeFlow()
    await loadAdapter('#tests/helpers/failing_adapter')
    cleanup(() => loadAdapter('#services/oidc/adapter/adapter'))
    const seen = await failure(oidc.refreshTokenGrant(config, tokens.refresh_token!))
    assert.deepEqual(seen, { status: 500, body: errorBody('server_error'), wwwAuthenticate: null })
    const row = await tokenRow(tokens.refresh_token!)
    assert.isNull(row.rotatedAt)
    assert.isNull(row.revokedAt)
    assert.lengthOf(await familyRows(row.familyId), 2)

    await loadAdapter('#services/oidc/adapter/adapter')
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!)
    assert.equal(refreshed.claims()!.sub, String(person.user.id), 'the client can simply retry')
  })
})
