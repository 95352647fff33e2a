/**
 * Signing keys in the admin console follow the keys:* rules, through the
 * same service: the list tells which key signs and which are published, and
 * a refused retirement gives the command's message.
 */
import { test } from '@japa/runner'
import OidcSigningKey from '#models/oidc_signing_key'
import keyStore from '#services/oidc/keys/key_store'
import { pageText } from '#tests/helpers/accounts'
import { consoleForm, createStaff, signedInAs } from '#tests/helpers/admin'
import { runRefused } from '../commands/run_command.js'

const KEYS = '/admin/keys/'

test.group('Admin console: signing keys', () => {
  test('the list names the key that signs now', async ({ assert }) => {
    const signing = await keyStore.signingKey()
    const browser = await signedInAs(await createStaff())
    const text = pageText((await browser.get(KEYS)).body)
    assert.match(text, new RegExp(`${signing.kid} RS256 Signs now`))
  })

  test('generating an ES256 key publishes it; retiring it withdraws it from signing', async ({
    assert,
    cleanup,
  }) => {
    const browser = await signedInAs(await createStaff())
    const before = await OidcSigningKey.query().where('alg', 'ES256').count('* as total')
    const generated = await browser.submit(consoleForm(await browser.get(KEYS), KEYS), {
      alg: 'ES256',
      action: 'generate',
    })
    assert.equal(generated.status, 303)
    const page = await browser.follow(generated)
    const key = await OidcSigningKey.query()
      .where('alg', 'ES256')
      .orderBy('id', 'desc')
      .firstOrFail()
    /* the JWKS tests that follow count the published keys */
    cleanup(async () => {
      await OidcSigningKey.query().where('kid', key.kid).delete()
      await keyStore.load(true)
    })
    assert.include(pageText(page.body), `Generated ES256 key ${key.kid}`)
    assert.isAbove(
      Number(
        (await OidcSigningKey.query().where('alg', 'ES256').count('* as total'))[0].$extras.total
      ),
      Number(before[0].$extras.total)
    )
    assert.deepInclude(
      (await keyStore.jwks()).keys.map((jwk) => jwk.kid),
      key.kid
    )

    const retireForm = page.body.match(
      new RegExp(`<form[^>]*>(?:(?!</form>)[\\s\\S])*value="${key.kid}"[\\s\\S]*?</form>`)
    )![0]
    const retired = await browser.post(KEYS, {
      _csrf: /name="_csrf" value="([^"]+)"/.exec(retireForm)![1],
      kid: key.kid,
      action: 'retire',
    })
    assert.include(pageText((await browser.follow(retired)).body), `Retired key ${key.kid}.`)
    assert.isNotNull((await OidcSigningKey.findByOrFail('kid', key.kid)).retiredAt)
  })

  test("a retirement the rules refuse shows the command's message and changes nothing", async ({
    assert,
  }) => {
    const message = await runRefused(assert, 'keys:retire', ['no-such-kid'])
    const browser = await signedInAs(await createStaff())
    const answer = await browser.submit(consoleForm(await browser.get(KEYS), KEYS), {
      action: 'retire',
      kid: 'no-such-kid',
    })
    assert.include(pageText((await browser.follow(answer)).body), message)
  })

  test("an unknown algorithm is refused with the command's message", async ({ assert }) => {
    const message = await runRefused(assert, 'keys:generate', ['--alg', 'HS256'])
    const browser = await signedInAs(await createStaff())
    const answer = await browser.submit(consoleForm(await browser.get(KEYS), KEYS), {
      action: 'generate',
      alg: 'HS256',
    })
    const text = pageText((await browser.follow(answer)).body).replace(/&quot;/g, '"')
    assert.include(text, message)
  })
})
