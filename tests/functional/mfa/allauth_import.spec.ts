import { test } from '@japa/runner'
import { createAllauthSource, type SourceKind } from '#tests/helpers/allauth_source'
import { insertAddress, insertUser, randomBase } from '#tests/helpers/allauth_site'
import { djangoPbkdf2 } from '#tests/helpers/django_hashes'
import { Browser, isSignedIn } from '#tests/helpers/browser'
import { pageText } from '#tests/helpers/accounts'
import { awayFromStepEdge, signInWithCode, totpCode } from '#tests/helpers/mfa'
import MfaAuthenticator from '#models/mfa_authenticator'
import { runJson } from '../commands/run_command.js'

/* A seed and the codes allauth prints for it (computed with Python's hmac, as allauth.mfa does) */
const SEED = 'a4f9e0c2b7d13358e6a1f0b9c2d4e6f8a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3'
const PRINTED = ['56998896', '79425494', '47028812', '61412406', '70273973']
/* allauth's generate_totp_secret: 20 random bytes, base32 */
const TOTP_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP'

const SOURCES: SourceKind[] = ['sqlite', 'mysql', 'postgres']

test.group('allauth:import of mfa_authenticator', () => {
  for (const kind of SOURCES) {
    test(`from ${kind}: the printed recovery codes and the TOTP app keep working`, async ({
      assert,
      cleanup,
    }) => {
      const source = await createAllauthSource(kind, { mfa: true })
      cleanup(() => source.drop())
      const base = randomBase()
      const person = { email: `mfa.${base}@example.com`, password: 'correct horse battery' }
      await insertUser(source, {
        id: base + 1,
        username: `mfa_${base}`,
        email: person.email,
        password: djangoPbkdf2(person.password),
      })
      await insertAddress(source, {
        id: base + 1,
        userId: base + 1,
        email: person.email,
        verified: true,
        primary: true,
      })
      const authenticator = (id: number, type: string, data: Record<string, unknown>) =>
        source.insert('mfa_authenticator', {
          id: base + id,
          type,
          data,
          user_id: base + 1,
          created_at: new Date('2025-01-02T03:04:05Z'),
          last_used_at: null,
        })
      await authenticator(1, 'totp', { secret: TOTP_SECRET })
      /* the first printed code was used at allauth */
      await authenticator(2, 'recovery_codes', { seed: SEED, used_mask: 1 })
      await authenticator(3, 'webauthn', { name: 'Key', credential: {} })

      const report = await runJson(assert, 'allauth:import', [source.url])
      const table = report.tables.mfa_authenticator
      assert.equal(table.created, 2)
      assert.deepEqual(
        table.skipped.map((entry: { reason: string }) => entry.reason),
        ['a webauthn key whose credential cannot be read']
      )
      const rows = await MfaAuthenticator.query().where('user_id', base + 1)
      for (const row of rows) {
        assert.notInclude(row.data, TOTP_SECRET, 'sealed with APP_KEY')
        assert.notInclude(row.data, SEED, 'sealed with APP_KEY')
      }

      const used = new Browser()
      const refused = await signInWithCode(used, person.email, person.password, PRINTED[0])
      assert.include(pageText(refused.body), 'Incorrect code.', 'used at allauth, used here')
      const printed = new Browser()
      const done = await signInWithCode(printed, person.email, person.password, PRINTED[1])
      assert.equal(done.status, 303)
      assert.isTrue(await isSignedIn(printed))

      await awayFromStepEdge()
      const app = new Browser()
      const byTotp = await signInWithCode(app, person.email, person.password, totpCode(TOTP_SECRET))
      assert.equal(byTotp.status, 303)

      /* a second run changes nothing; a code used at allauth since then is used here too */
      const again = await runJson(assert, 'allauth:import', [source.url])
      assert.include(again.tables.mfa_authenticator, { created: 0, updated: 0, unchanged: 2 })
      await source.exec('UPDATE "mfa_authenticator" SET "data" = ? WHERE "id" = ?', [
        JSON.stringify({ seed: SEED, used_mask: 1 + 4 }),
        base + 2,
      ])
      const delta = await runJson(assert, 'allauth:import', [source.url])
      assert.include(delta.tables.mfa_authenticator, { updated: 1 })
      const late = await signInWithCode(new Browser(), person.email, person.password, PRINTED[2])
      assert.include(pageText(late.body), 'Incorrect code.')
      const reused = await signInWithCode(new Browser(), person.email, person.password, PRINTED[1])
      assert.include(pageText(reused.body), 'Incorrect code.', 'used here, still used')
      const fresh = await signInWithCode(new Browser(), person.email, person.password, PRINTED[3])
      assert.equal(fresh.status, 303)
    }).timeout(120_000)
  }

  test('a secret the site encrypted stays behind with the reason', async ({ assert, cleanup }) => {
    const source = await createAllauthSource('sqlite', { mfa: true })
    cleanup(() => source.drop())
    const base = randomBase()
    await insertUser(source, { id: base + 1, username: `enc_${base}`, password: '!' })
    await source.insert('mfa_authenticator', {
      id: base + 1,
      type: 'totp',
      data: { secret: 'gAAAAABl…fernet-token…' },
      user_id: base + 1,
      created_at: new Date(),
      last_used_at: null,
    })
    const report = await runJson(assert, 'allauth:import', [source.url])
    assert.deepEqual(
      report.tables.mfa_authenticator.skipped.map((entry: { reason: string }) => entry.reason),
      ['its secret is not plain base32 (does the MFA adapter encrypt it?)']
    )
    assert.isNull(await MfaAuthenticator.findBy('user_id', base + 1))
  })
})
