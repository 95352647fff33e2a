import { test } from '@japa/runner'
import { createAllauthSource, type SourceKind } from '#tests/helpers/allauth_source'
import { insertUser, randomBase } from '#tests/helpers/allauth_site'
import { djangoPbkdf2 } from '#tests/helpers/django_hashes'
import { BASE_URL, Browser, isSignedIn, readForm } from '#tests/helpers/browser'
import { SoftKey, offerKeys, signInWithKey } from '#tests/helpers/webauthn'
import { selectRows } from '#database/statements'
import { runJson } from '../commands/run_command.js'

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

/**
 * A key registered at the allauth site: the browser's registration answer
 * (here a software key's, for this app's host, as the site and this app
 * share APP_URL's origin) under allauth's data shape {"name", "credential"}.
 */
function allauthKeyRow(key: SoftKey, userId: number, id: number, passkey: boolean) {
  const credential = key.register(
    {
      challenge: 'c2VydmVyLWNoYWxsZW5nZQ',
      rp: { id: new URL(BASE_URL).hostname },
      user: { id: Buffer.from(String(userId)).toString('base64url') },
    },
    { passkey }
  )
  return {
    id,
    type: 'webauthn',
    data: { name: passkey ? 'Phone' : 'YubiKey', credential },
    user_id: userId,
    created_at: new Date('2025-05-01T08:00:00Z'),
    last_used_at: null,
  }
}

const keysOf = async (userId: number) =>
  (
    await selectRows<{ data: string }>(
      "select data from mfa_authenticators where user_id = ? and type = 'webauthn' order by id",
      [userId]
    )
  ).map((row) => JSON.parse(row.data))

test.group('allauth:import, WebAuthn keys', () => {
  for (const kind of SOURCES) {
    test(`from ${kind}: users keep their security keys and passkeys; a rename comes over, a removal too`, async ({
      assert,
      cleanup,
    }) => {
      offerKeys(cleanup)
      const source = await createAllauthSource(kind, { mfa: true })
      cleanup(() => source.drop())
      const base = randomBase()
      const user = { id: base + 1, username: `keys_${base}`, password: `Keys-${base}-pw` }
      await insertUser(source, { ...user, password: djangoPbkdf2(user.password) })
      await insertUser(source, { id: base + 2, username: `other_${base}`, password: '!' })
      const yubikey = new SoftKey(BASE_URL)
      const phone = new SoftKey(BASE_URL, { synced: true })
      await source.insert('mfa_authenticator', allauthKeyRow(yubikey, user.id, base + 1, false))
      await source.insert('mfa_authenticator', allauthKeyRow(phone, user.id, base + 2, true))
      await source.insert('mfa_authenticator', {
        id: base + 3,
        type: 'webauthn',
        data: { name: 'Broken', credential: { id: 'x' } },
        user_id: base + 2,
        created_at: new Date(),
        last_used_at: null,
      })

      const dry = await runJson(assert, 'allauth:import', [source.url, '--dry-run'])
      assert.equal(dry.tables.mfa_authenticator.created, 2)
      assert.deepEqual(await keysOf(user.id), [])

      const report = await runJson(assert, 'allauth:import', [source.url])
      assert.deepEqual(counts(report.tables.mfa_authenticator), {
        created: 2,
        updated: 0,
        unchanged: 0,
        removed: 0,
      })
      assert.deepEqual(report.tables.mfa_authenticator.skipped, [
        {
          reason: 'a webauthn key whose credential cannot be read',
          count: 1,
          examples: [String(base + 3)],
        },
      ])
      const imported = await keysOf(user.id)
      assert.deepEqual(
        imported.map((data) => [data.name, data.credential.id]),
        [
          ['YubiKey', yubikey.id],
          ['Phone', phone.id],
        ]
      )

      /* the password, then the security key; then the passkey alone */
      const second = await signInWithKey({ login: user.username, password: user.password }, yubikey)
      assert.equal(second.done.status, 303)
      assert.isTrue(await isSignedIn(second.browser))
      const browser = new Browser()
      const login = await browser.get('/accounts/login/')
      const options = await browser.get('/accounts/2fa/webauthn/login/', {
        accept: 'application/json',
      })
      const credential = phone.assert(JSON.parse(options.body).request_options.publicKey)
      await browser.submit(readForm(login.body, 'form[id="mfa_login"]'), {
        credential: JSON.stringify(credential),
      })
      assert.isTrue(await isSignedIn(browser))

      /* again: nothing changes, the counters seen here stay */
      const again = await runJson(assert, 'allauth:import', [source.url])
      assert.deepEqual(counts(again.tables.mfa_authenticator), {
        created: 0,
        updated: 0,
        unchanged: 2,
        removed: 0,
      })
      assert.deepEqual(
        (await keysOf(user.id)).map((data) => data.sign_count),
        [1, 1]
      )

      /* renamed at allauth, and the passkey removed there */
      const renamed = allauthKeyRow(yubikey, user.id, base + 1, false)
      await source.exec('update "mfa_authenticator" set "data" = ? where "id" = ?', [
        JSON.stringify({ ...renamed.data, credential: imported[0].credential, name: 'Desk key' }),
        base + 1,
      ])
      await source.exec('delete from "mfa_authenticator" where "id" = ?', [base + 2])
      const third = await runJson(assert, 'allauth:import', [source.url])
      assert.deepEqual(counts(third.tables.mfa_authenticator), {
        created: 0,
        updated: 1,
        unchanged: 0,
        removed: 1,
      })
      assert.deepEqual(
        (await keysOf(user.id)).map((data) => [data.name, data.sign_count]),
        [['Desk key', 1]]
      )
    }).timeout(60_000)
  }
})
