/**
 * Consent form submissions under concurrency and replay: many first consents
 * of one person for one client at once (a double click, several tabs) merge
 * into one record without a 500 on any database, and each signed form answers
 * once: a second post of it, concurrent or later, gets the error page and
 * issues nothing.
 */
import { test } from '@japa/runner'
import OidcConsent from '#models/oidc_consent'
import OidcAuthorizationCode from '#models/oidc_authorization_code'
import { readForm, type Form } from '#tests/helpers/browser'
import { createClient } from '#tests/helpers/factories'
import { REDIRECT } from '#tests/helpers/endpoints'
import {
  authorizeUrl,
  delivered,
  pkcePair,
  signedIn,
  type RecordingBrowser,
} from '#tests/helpers/oauth_checks'

const { challenge } = pkcePair()

async function consentForms(browser: RecordingBrowser, clientId: string, scopes: string[]) {
  return Promise.all(
    scopes.map(async (scope) => {
      const page = await browser.get(
        authorizeUrl({
          client_id: clientId,
          redirect_uri: REDIRECT,
          response_type: 'code',
          scope,
          state: 'st',
          code_challenge: challenge,
          code_challenge_method: 'S256',
        })
      )
      if (page.status !== 200) throw new Error(`no consent page: ${page.status}`)
      return readForm(page.body, 'form[action="/identity/o/authorize"]')
    })
  )
}

const grant = (browser: RecordingBrowser, form: Form) => browser.submit(form, { action: 'grant' })

test.group('Consent submissions', () => {
  test('50 first consents posted at once: every one answers with a code, one merged record', async ({
    assert,
  }) => {
    const { person, browser } = await signedIn()
    const rp = await createClient({ redirectUris: [REDIRECT] })
    const scopes = Array.from({ length: 50 }, (_, i) => (i % 2 ? 'openid email' : 'openid profile'))
    const forms = await consentForms(browser, rp.id, scopes)
    const pages = await Promise.all(forms.map((form) => grant(browser, form)))
    for (const page of pages) {
      assert.equal(page.status, 303, page.body.slice(0, 300))
      assert.isTrue(delivered(page).params.has('code'))
    }
    const consents = await OidcConsent.query()
      .where('user_id', person.user.id)
      .where('client_id', rp.id)
    assert.lengthOf(consents, 1)
    assert.sameMembers(consents[0].scopes, ['openid', 'profile', 'email'])
  })

  test('a double click: the same form posted twice at once answers once', async ({ assert }) => {
    const { browser } = await signedIn()
    const rp = await createClient({ redirectUris: [REDIRECT] })
    const [form] = await consentForms(browser, rp.id, ['openid'])
    const pages = await Promise.all(Array.from({ length: 10 }, () => grant(browser, form)))
    const answered = pages.filter((page) => page.status === 303)
    assert.lengthOf(answered, 1)
    for (const page of pages.filter((one) => one.status !== 303)) {
      assert.equal(page.status, 400)
      assert.include(page.body, '<code>invalid_request</code>')
      assert.include(page.body, 'The authorization request has already been answered.')
    }
    assert.lengthOf(await OidcAuthorizationCode.query().where('client_id', rp.id), 1)
  })

  test('a form posted again later, granting or denying, gets the error page and issues nothing', async ({
    assert,
  }) => {
    const { browser } = await signedIn()
    const rp = await createClient({ redirectUris: [REDIRECT] })
    const [granted, denied] = await consentForms(browser, rp.id, ['openid', 'openid'])
    assert.equal((await grant(browser, granted)).status, 303)
    assert.equal((await browser.submit(denied, { action: 'deny' })).status, 303)
    for (const [form, action] of [
      [granted, 'grant'],
      [granted, 'deny'],
      [denied, 'grant'],
    ] as const) {
      const again = await browser.submit(form, { action })
      assert.equal(again.status, 400)
      assert.isNull(again.location)
      assert.include(again.body, 'The authorization request has already been answered.')
    }
    assert.lengthOf(await OidcAuthorizationCode.query().where('client_id', rp.id), 1)
  })
})
