import { test } from '@japa/runner'
import hash from '@adonisjs/core/services/hash'
import User from '#models/user'
import OidcToken from '#models/oidc_token'
import { Browser, signsIn } from '#tests/helpers/browser'
import { createAllauthSource, type SourceKind } from '#tests/helpers/allauth_source'
import { seedSite, targetSnapshot } from '#tests/helpers/allauth_site'
import { allauthTokenHash } from '#tests/helpers/django_hashes'
import { discoverAs, oidc, runCodeFlow } from '#tests/helpers/relying_party'
import { failure } from '#tests/helpers/tokens'
import type { TestUser } from '#tests/helpers/factories'
import { runCommand, runJson } from '../commands/run_command.js'

const SOURCES: SourceKind[] = ['sqlite', 'mysql', 'postgres']

const counts = (table: {
  created: number
  updated: number
  unchanged: number
  removed: number
}) => ({
  created: table.created,
  updated: table.updated,
  unchanged: table.unchanged,
  removed: table.removed,
})
const skipped = (table: { skipped: { reason: string; count: number }[] }) =>
  Object.fromEntries(table.skipped.map(({ reason, count }) => [reason, count]))

test.group('allauth:import, end to end', () => {
  for (const kind of SOURCES) {
    test(`from ${kind}: users sign in with their passwords and keep their sub; clients, access and refresh tokens keep working; a second run changes nothing`, async ({
      assert,
      cleanup,
    }) => {
      const source = await createAllauthSource(kind)
      cleanup(() => source.drop())
      const site = await seedSite(source)
      const { ada, bob, cyd, dee, eve } = site.users

      const report = await runJson(assert, 'allauth:import', [source.url])
      assert.deepEqual(report.source.dialect, kind)
      assert.isFalse(report.dry_run)
      assert.deepEqual(counts(report.tables.auth_user), {
        created: 5,
        updated: 0,
        unchanged: 0,
        removed: 0,
      })
      assert.deepEqual(report.tables.auth_user.notes, [
        {
          reason: 'no usable password in the source: the user resets it',
          count: 1,
          examples: [String(dee.id)],
        },
      ])
      /* ada's two, dee's, eve's, and cyd's auth_user.email */
      assert.deepEqual(counts(report.tables.account_emailaddress), {
        created: 5,
        updated: 0,
        unchanged: 0,
        removed: 0,
      })
      assert.deepEqual(counts(report.tables.allauth_idp_oidc_client), {
        created: 3,
        updated: 0,
        unchanged: 0,
        removed: 0,
      })
      assert.deepEqual(counts(report.tables.allauth_idp_oidc_token), {
        created: 4,
        updated: 0,
        unchanged: 0,
        removed: 0,
      })
      assert.deepEqual(skipped(report.tables.allauth_idp_oidc_token), { expired: 1 })

      const adaRow = await User.findOrFail(ada.id)
      assert.deepInclude(adaRow.serialize(), {
        username: ada.username,
        firstName: 'Ada',
        lastName: 'Lovelace',
        isActive: true,
        isStaff: true,
        isSuperuser: false,
      })
      assert.equal(adaRow.lastLoginAt?.toUTC().toISO(), '2025-01-01T00:00:00.000Z')
      assert.equal(adaRow.createdAt.toUTC().toISO(), '2024-03-01T10:00:00.000Z')
      assert.isTrue((await User.findOrFail(cyd.id)).isSuperuser)

      /* the relying party signs Ada in: same sub, its old secret authenticates it */
      const config = await discoverAs({ client: null as never, ...site.client }, 'basic')
      const person = { email: ada.email, password: ada.password } as TestUser
      const tokens = await runCodeFlow(config, new Browser(), person, 'openid profile email')
      assert.equal(tokens.claims()!.sub, String(ada.id))
      assert.equal(tokens.claims()!.email, ada.email)
      const rehashed = (await User.findOrFail(ada.id)).password
      assert.isTrue(hash.isValidHash(rehashed), 'the Django hash was rewritten at sign-in')

      /* the access token allauth issued works at userinfo, with the address chosen at allauth */
      const info = await oidc.fetchUserInfo(config, site.tokens.adaAccess, String(ada.id))
      assert.deepInclude(info, { sub: String(ada.id), email: site.adaWork, email_verified: false })

      /* allauth's refresh token refreshes, rotates, and a replay revokes the family */
      const refreshed = await oidc.refreshTokenGrant(config, site.tokens.adaRefresh)
      assert.equal(refreshed.claims()!.sub, String(ada.id))
      assert.notEqual(refreshed.refresh_token, site.tokens.adaRefresh)
      const replay = await failure(oidc.refreshTokenGrant(config, site.tokens.adaRefresh))
      assert.equal((replay.body as { error: string }).error, 'invalid_grant')
      assert.equal(
        (await failure(oidc.refreshTokenGrant(config, refreshed.refresh_token!))).status,
        400,
        'the token rotated from it went with the family'
      )

      /* the public client's user refreshes without a secret */
      const app = await discoverAs({ client: null as never, ...site.publicClient }, 'none')
      const bobRefreshed = await oidc.refreshTokenGrant(app, site.tokens.bobRefresh)
      assert.equal(bobRefreshed.claims()!.sub, String(bob.id))

      /* the client-credentials client, whose site hashed secrets with argon2, introspects its token */
      const batch = await discoverAs({ client: null as never, ...site.machine }, 'basic')
      const introspected = await oidc.tokenIntrospection(batch, site.tokens.machineAccess)
      assert.isTrue(introspected.active)
      assert.equal(introspected.client_id, site.machine.id)

      /* every kind of password: username only, auth_user.email, none, inactive */
      assert.isTrue(await signsIn(bob.username.toUpperCase(), bob.password))
      assert.isTrue(await signsIn(cyd.email, cyd.password))
      assert.isFalse(await signsIn(dee.email, dee.password))
      assert.isFalse(await signsIn(eve.email, eve.password), 'inactive')
      assert.isFalse(await signsIn(cyd.email, bob.password))

      const before = await targetSnapshot()
      const again = await runJson(assert, 'allauth:import', [source.url])
      for (const table of ['auth_user', 'account_emailaddress', 'allauth_idp_oidc_client'])
        assert.include(counts(again.tables[table]), { created: 0, updated: 0, removed: 0 }, table)
      assert.deepEqual(counts(again.tables.allauth_idp_oidc_token), {
        created: 0,
        updated: 0,
        /* Ada's, revoked here with its family after the replay above, stays revoked */
        unchanged: 4,
        removed: 0,
      })
      assert.deepEqual(skipped(again.tables.allauth_idp_oidc_token), { expired: 1 })
      assert.equal(await targetSnapshot(), before, 'the second run wrote nothing')
      assert.equal((await User.findOrFail(ada.id)).password, rehashed)
    }).timeout(90_000)
  }

  test('--dry-run reports what it would import and writes nothing', async ({ assert, cleanup }) => {
    const source = await createAllauthSource('sqlite')
    cleanup(() => source.drop())
    const site = await seedSite(source)
    const before = await targetSnapshot()

    const report = await runJson(assert, 'allauth:import', [source.url, '--dry-run'])
    assert.isTrue(report.dry_run)
    assert.equal(report.tables.auth_user.created, 5)
    assert.equal(report.tables.allauth_idp_oidc_token.created, 4)
    assert.equal(await targetSnapshot(), before)
    assert.isNull(await User.find(site.users.ada.id))
    assert.isNull(await OidcToken.findBy('hash', allauthTokenHash(site.tokens.adaAccess)))

    const human = await runCommand('allauth:import', [source.url, '--dry-run'])
    assert.equal(human.exitCode, 0)
    assert.match(human.stdout[0], /^Dry run, nothing written: would import from sqlite /)
    assert.include(human.stdout[0], '  auth_user: created 5, updated 0, unchanged 0, skipped 0')
    assert.equal(await targetSnapshot(), before)
  }).timeout(30_000)
})
