import { test } from '@japa/runner'
import hash from '@adonisjs/core/services/hash'
import User from '#models/user'
import EmailAddress from '#models/email_address'
import OidcClient from '#models/oidc_client'
import OidcToken from '#models/oidc_token'
import { signsIn } from '#tests/helpers/browser'
import { createAllauthSource, type AllauthSource } from '#tests/helpers/allauth_source'
import {
  insertAddress,
  insertClient,
  insertToken,
  insertUser,
  randomBase,
  seedSite,
  targetSnapshot,
} from '#tests/helpers/allauth_site'
import { allauthTokenHash, djangoBcryptSha256, djangoPbkdf2 } from '#tests/helpers/django_hashes'
import { createUser } from '#tests/helpers/factories'
import { discoverAs, oidc } from '#tests/helpers/relying_party'
import { failure } from '#tests/helpers/tokens'
import { runJson, runRefused } from '../commands/run_command.js'

const reasons = (table: { skipped: { reason: string; count: number }[] }) =>
  Object.fromEntries(table.skipped.map(({ reason, count }) => [reason, count]))

async function sqliteSource(cleanup: (fn: () => Promise<void>) => void, options = {}) {
  const source = await createAllauthSource('sqlite', options)
  cleanup(() => source.drop())
  return source
}

const addressesOf = async (userId: number) =>
  (await EmailAddress.query().where('user_id', userId).orderBy('email')).map(
    ({ email, verified, primary }) => ({ email, verified, primary })
  )

test.group('allauth:import, source rows our rules refuse', () => {
  test('an address on several users goes to the verified one, else the one whose primary it is; the run goes on', async ({
    assert,
    cleanup,
  }) => {
    const source = await sqliteSource(cleanup)
    const base = randomBase()
    const shared = `shared.${base}@example.com`
    const claimed = `claimed.${base}@example.com`
    for (const id of [1, 2, 3, 4])
      await insertUser(source, { id: base + id, username: `u${id}_${base}`, password: '!' })
    await insertAddress(source, {
      id: base + 1,
      userId: base + 1,
      email: shared,
      verified: false,
      primary: false,
    })
    await insertAddress(source, {
      id: base + 2,
      userId: base + 2,
      email: shared.toUpperCase(),
      verified: false,
      primary: true,
    })
    await insertAddress(source, {
      id: base + 3,
      userId: base + 3,
      email: claimed,
      verified: false,
      primary: true,
    })
    await insertAddress(source, {
      id: base + 4,
      userId: base + 4,
      email: claimed,
      verified: true,
      primary: false,
    })
    await insertAddress(source, {
      id: base + 5,
      userId: base + 1,
      email: 'not an address',
      verified: false,
      primary: false,
    })

    const report = await runJson(assert, 'allauth:import', [source.url])
    assert.equal(report.tables.auth_user.created, 4)
    assert.equal(report.tables.account_emailaddress.created, 2)
    assert.deepEqual(reasons(report.tables.account_emailaddress), {
      [`the address also belongs to user ${base + 2}, who keeps it`]: 1,
      [`the address also belongs to user ${base + 4}, who keeps it`]: 1,
      'not an email address': 1,
    })
    assert.deepEqual(await addressesOf(base + 2), [
      { email: shared, verified: false, primary: true },
    ])
    assert.deepEqual(await addressesOf(base + 4), [
      { email: claimed, verified: true, primary: false },
    ])
    assert.deepEqual(await addressesOf(base + 1), [])
    assert.deepEqual(await addressesOf(base + 3), [])
  })

  test('a client with a redirect URI we refuse is skipped with the rule, and its tokens with it', async ({
    assert,
    cleanup,
  }) => {
    const source = await sqliteSource(cleanup)
    const base = randomBase()
    await insertUser(source, { id: base + 1, username: `u_${base}`, password: '!' })
    const id = `http-client-${base}`
    await insertClient(source, {
      id,
      secretHash: djangoPbkdf2('s'),
      redirectUris: ['http://rp.example/cb'],
    })
    await insertToken(source, {
      id: base + 1,
      type: 'rt',
      clientId: id,
      userId: base + 1,
      scopes: ['openid'],
    })

    const report = await runJson(assert, 'allauth:import', [source.url])
    assert.deepEqual(reasons(report.tables.allauth_idp_oidc_client), {
      'redirect URI "http://rp.example/cb" uses http, which is allowed only for loopback and localhost hosts': 1,
    })
    assert.deepEqual(reasons(report.tables.allauth_idp_oidc_token), {
      'its client was not imported': 1,
    })
    assert.isNull(await OidcClient.find(id))
  })

  test('a password hash we cannot verify imports the user without a password', async ({
    assert,
    cleanup,
  }) => {
    const source = await sqliteSource(cleanup)
    const base = randomBase()
    await insertUser(source, {
      id: base + 1,
      username: `md5_${base}`,
      password: 'md5$seasalt$3f86d0d3d465b7b458c231bf3555c0e3',
    })
    const report = await runJson(assert, 'allauth:import', [source.url])
    assert.deepEqual(report.tables.auth_user.notes, [
      {
        reason: 'password hash "md5" cannot be verified: the user resets it',
        count: 1,
        examples: [String(base + 1)],
      },
    ])
    assert.equal((await User.findOrFail(base + 1)).password, '!')
  })
})

test.group('allauth:import, rows already here', () => {
  test('an id held by another user here is left alone; the same person (user:create --id) is taken over and keeps its password', async ({
    assert,
    cleanup,
  }) => {
    const source = await sqliteSource(cleanup)
    const base = randomBase()
    /* local users first: a user created with --id moves the next automatic id past it */
    const taken = await createUser({ username: `Taken_${base}` })
    const local = await createUser({ username: `local_${base}` })
    /* brought over by hand before: same id and username, a password set here */
    await runJson(assert, 'user:create', [
      '--id',
      String(base + 2),
      '--username',
      `same_${base}`,
      '--password',
      'set here',
    ])

    await insertUser(source, { id: local.user.id, username: `stranger_${base}`, password: '!' })
    await insertAddress(source, {
      id: base + 1,
      userId: local.user.id,
      email: `stranger.${base}@example.com`,
      verified: true,
      primary: true,
    })
    await insertUser(source, {
      id: base + 2,
      username: `same_${base}`,
      password: djangoPbkdf2('source pw'),
      firstName: 'Same',
    })
    await insertUser(source, { id: base + 3, username: `taken_${base}`, password: '!' })
    await insertUser(source, { id: base + 4, username: `addr_${base}`, password: '!' })
    await insertAddress(source, {
      id: base + 4,
      userId: base + 4,
      email: local.email,
      verified: true,
      primary: true,
    })
    const clientId = `kept-${base}`
    const { secret } = await runJson(assert, 'client:create', ['--id', clientId, '--name', 'Here'])
    await insertClient(source, {
      id: clientId,
      secretHash: djangoPbkdf2('source secret'),
      name: 'From allauth',
    })
    await insertToken(source, {
      id: base + 1,
      type: 'at',
      clientId,
      userId: local.user.id,
      scopes: ['openid'],
    })

    const report = await runJson(assert, 'allauth:import', [source.url])
    assert.deepEqual(reasons(report.tables.auth_user), {
      'the id belongs to another user here, who was not imported': 1,
      [`the username is taken here by user ${taken.user.id}, who was not imported`]: 1,
    })
    assert.deepInclude(report.tables.auth_user, { created: 1, updated: 1 })
    assert.deepEqual(reasons(report.tables.account_emailaddress), {
      'its user was not imported': 1,
      [`the address belongs to user ${local.user.id} here, who was not imported`]: 1,
    })
    assert.deepEqual(reasons(report.tables.allauth_idp_oidc_token), {
      'its user was not imported': 1,
    })
    assert.equal(report.tables.allauth_idp_oidc_client.updated, 1)

    assert.equal((await User.findOrFail(local.user.id)).username, `local_${base}`)
    const same = await User.findOrFail(base + 2)
    assert.equal(same.firstName, 'Same')
    assert.isTrue(await hash.verify(same.password, 'set here'), 'the password set here stays')
    const client = await OidcClient.findOrFail(clientId)
    assert.equal(client.name, 'From allauth')
    const config = await discoverAs({ client, id: clientId, secret }, 'basic')
    assert.isTrue(
      (await oidc.tokenIntrospection(config, 'unknown')).active === false,
      'the secret set here authenticates'
    )
  })

  test('rows imported from another source database are never touched by its import', async ({
    assert,
    cleanup,
  }) => {
    const first = await sqliteSource(cleanup)
    const site = await seedSite(first)
    await runJson(assert, 'allauth:import', [first.url])
    const second = await sqliteSource(cleanup)
    await insertUser(second, {
      id: site.users.ada.id,
      username: `other_${site.base}`,
      password: '!',
    })

    const before = await targetSnapshot()
    const report = await runJson(assert, 'allauth:import', [second.url])
    assert.notEqual(
      report.source.fingerprint,
      (await runJson(assert, 'allauth:import', [first.url, '--dry-run'])).source.fingerprint
    )
    assert.deepEqual(reasons(report.tables.auth_user), {
      'the id belongs to another user here, who was not imported': 1,
    })
    assert.equal(report.tables.allauth_idp_oidc_token.removed, 0)
    assert.equal(await targetSnapshot(), before)
  })
})

test.group('allauth:import, cut-over: import again for the delta', () => {
  test('the second run takes what changed at allauth meanwhile and keeps what changed here', async ({
    assert,
    cleanup,
  }) => {
    const source = await sqliteSource(cleanup)
    const site = await seedSite(source)
    const { ada, bob } = site.users
    await runJson(assert, 'allauth:import', [source.url])
    /* here meanwhile: Ada signs in (her hash is rewritten), the client gets post-logout URIs */
    assert.isTrue(await signsIn(ada.email, ada.password))
    const adaHash = (await User.findOrFail(ada.id)).password
    await runJson(assert, 'client:update', [
      site.client.id,
      '--post-logout-redirect-uris',
      'https://rp.example/bye',
    ])

    /* at allauth meanwhile */
    await source.exec('UPDATE "auth_user" SET "first_name" = ? WHERE "id" = ?', ['Augusta', ada.id])
    await source.exec('UPDATE "auth_user" SET "password" = ? WHERE "id" = ?', [
      djangoBcryptSha256('new bob pw'),
      bob.id,
    ])
    await source.exec('DELETE FROM "account_emailaddress" WHERE "email" = ?', [site.adaWork])
    await source.exec('UPDATE "allauth_idp_oidc_client" SET "name" = ? WHERE "id" = ?', [
      'Wiki 2',
      site.client.id,
    ])
    /* allauth rotates Ada's refresh token: the old row goes, a new one comes */
    await source.exec('DELETE FROM "allauth_idp_oidc_token" WHERE "hash" = ?', [
      allauthTokenHash(site.tokens.adaRefresh),
    ])
    const scopes = ['openid', 'profile', 'email']
    const newRefresh = await insertToken(source, {
      id: site.base + 10,
      type: 'rt',
      clientId: site.client.id,
      userId: ada.id,
      scopes,
    })
    await insertToken(source, {
      id: site.base + 11,
      type: 'at',
      clientId: site.client.id,
      userId: ada.id,
      scopes,
    })

    const report = await runJson(assert, 'allauth:import', [source.url])
    assert.deepInclude(report.tables.auth_user, { created: 0, updated: 2, unchanged: 3 })
    assert.deepInclude(report.tables.account_emailaddress, { created: 0, updated: 0, removed: 1 })
    assert.deepInclude(report.tables.allauth_idp_oidc_client, {
      created: 0,
      updated: 1,
      unchanged: 2,
    })
    assert.deepInclude(report.tables.allauth_idp_oidc_token, {
      created: 2,
      unchanged: 3,
      removed: 1,
    })

    const adaRow = await User.findOrFail(ada.id)
    assert.equal(adaRow.firstName, 'Augusta')
    assert.equal(
      adaRow.password,
      adaHash,
      'the hash rewritten here stays: the source password did not change'
    )
    assert.isTrue(await signsIn(bob.username, 'new bob pw'))
    assert.isFalse(await signsIn(bob.username, bob.password))
    assert.deepEqual(await addressesOf(ada.id), [
      { email: ada.email, verified: true, primary: true },
    ])
    const client = await OidcClient.findOrFail(site.client.id)
    assert.equal(client.name, 'Wiki 2')
    assert.deepEqual(client.postLogoutRedirectUris, ['https://rp.example/bye'])

    const config = await discoverAs({ client, ...site.client }, 'basic')
    const old = await failure(oidc.refreshTokenGrant(config, site.tokens.adaRefresh))
    assert.equal(
      (old.body as { error: string }).error,
      'invalid_grant',
      'rotated at allauth: revoked here'
    )
    const refreshed = await oidc.refreshTokenGrant(config, newRefresh)
    assert.equal(refreshed.claims()!.sub, String(ada.id))
    assert.isNotNull(
      (await OidcToken.findByOrFail('hash', allauthTokenHash(site.tokens.adaRefresh))).revokedAt
    )
  }).timeout(60_000)

  test('a site still on allauth_idp_oidc 0001 (no default scopes, no wildcards column) imports', async ({
    assert,
    cleanup,
  }) => {
    const source = await sqliteSource(cleanup, { oidcMigration: 1, mfa: true })
    const base = randomBase()
    await insertUser(source, { id: base + 1, username: `old_${base}`, password: '!' })
    await insertClient(source, { id: `old-${base}`, secretHash: djangoPbkdf2('s') }, 1)
    for (const [offset, type] of [
      [1, 'totp'],
      [2, 'recovery_codes'],
      [3, 'webauthn'],
    ] as const) {
      await source.insert('mfa_authenticator', {
        id: base + offset,
        type,
        data: {},
        user_id: base + 1,
        created_at: new Date(),
        last_used_at: null,
      })
    }

    const report = await runJson(assert, 'allauth:import', [source.url])
    assert.equal(report.source.migrations.allauth_idp_oidc, '0001_initial')
    assert.equal(report.source.migrations.mfa, '0003_authenticator_type_uniq')
    assert.equal(report.tables.allauth_idp_oidc_client.created, 1)
    const client = await OidcClient.findOrFail(`old-${base}`)
    assert.deepEqual(client.defaultScopes, [])
    assert.isFalse(client.allowUriWildcards)
    assert.deepEqual(reasons(report.tables.mfa_authenticator), {
      'its secret is not plain base32 (does the MFA adapter encrypt it?)': 1,
      'its seed is not plain text (does the MFA adapter encrypt it?)': 1,
      'a webauthn key whose credential cannot be read': 1,
    })
  })
})

test.group('allauth:import, bad input', () => {
  async function refused(assert: Parameters<typeof runRefused>[0], argv: string[]) {
    const before = await targetSnapshot()
    const message = await runRefused(assert, 'allauth:import', argv)
    assert.equal(await targetSnapshot(), before)
    return message
  }

  test('an unusable URL, a missing file, an unreachable server: one line, nothing written', async ({
    assert,
  }) => {
    const usage =
      'give the source as sqlite:///absolute/path/db.sqlite3, mysql://user:pass@host:port/db or postgres://user:pass@host:port/db'
    assert.equal(await refused(assert, ['not a url']), usage)
    assert.equal(await refused(assert, ['oracle://db/x']), usage)
    assert.equal(await refused(assert, ['sqlite://relative/db.sqlite3']), usage)
    assert.equal(
      await refused(assert, ['sqlite:///nowhere/db.sqlite3']),
      'no SQLite database at /nowhere/db.sqlite3'
    )
    assert.match(
      await refused(assert, ['mysql://root@127.0.0.1:1/allauth']),
      /^cannot read the source database 127\.0\.0\.1:1\/allauth: .*ECONNREFUSED/
    )
    assert.match(
      await refused(assert, ['postgres://postgres@127.0.0.1:1/allauth']),
      /^cannot read the source database 127\.0\.0\.1:1\/allauth: .*ECONNREFUSED/
    )
  })

  test('not a Django database, a missing table, a missing column: one line, nothing written', async ({
    assert,
    cleanup,
  }) => {
    const empty = await sqliteSource(cleanup, { without: 'django_migrations' })
    await empty.exec('DROP TABLE "auth_user"')
    assert.match(
      await refused(assert, [empty.url]),
      /is not the database of a Django site with django\.contrib\.auth$/
    )

    const noTokens: AllauthSource = await sqliteSource(cleanup, {
      without: 'allauth_idp_oidc_token',
    })
    await seedUsersOnly(noTokens)
    assert.equal(
      await refused(assert, [noTokens.url]),
      'the source has no table allauth_idp_oidc_token (is allauth.idp.oidc installed and migrated?)'
    )

    const noColumn = await sqliteSource(cleanup)
    await noColumn.exec('ALTER TABLE "auth_user" DROP COLUMN "is_staff"')
    assert.equal(
      await refused(assert, [noColumn.url]),
      'the source table auth_user lacks column is_staff'
    )
  })
})

async function seedUsersOnly(source: AllauthSource) {
  const base = randomBase()
  await insertUser(source, { id: base + 1, username: `x_${base}`, password: '!' })
}
