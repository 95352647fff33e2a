import { test } from '@japa/runner'
import { Browser, readForm } from '#tests/helpers/browser'
import { createClient, createUser } from '#tests/helpers/factories'
import { REDIRECT } from '#tests/helpers/endpoints'
import { oidc, authorizationUrl, discoverAs, answerConsent } from '#tests/helpers/relying_party'
import { signInDevice } from '#tests/helpers/device'
import { pageText } from '#tests/helpers/accounts'

const GRANTS = '/accounts/grants/'

async function signedIn() {
  const person = await createUser()
  const browser = new Browser()
  await browser.signIn(person.email, person.password)
  return { person, browser }
}

/** The entries of one section of the grants page (Applications or Devices), as text */
function section(html: string, heading: string) {
  const start = html.indexOf(`<h2>${heading}</h2>`)
  const rest = html.slice(start + heading.length + 9)
  const end = rest.indexOf('<h2>')
  return end === -1 ? rest.slice(0, rest.indexOf('class="links"')) : rest.slice(0, end)
}

test.group('Grants page', () => {
  test('a consent is shown with the consent page’s wording, not raw scope names', async ({
    assert,
  }) => {
    const { browser } = await signedIn()
    const rp = await createClient({ name: 'Acme Notes', redirectUris: [REDIRECT] })
    const config = await discoverAs(rp, 'basic')
    const { url } = await authorizationUrl(config, REDIRECT, 'openid email')
    await answerConsent(browser, await browser.get(url))

    const text = pageText(section((await browser.get(GRANTS)).body, 'Applications'))
    assert.include(text, 'Acme Notes')
    assert.include(text, 'View your user ID')
    assert.include(text, 'View your email address')
    assert.notMatch(text, /\bopenid\b/)
  })

  test('a device signed in with a code is listed, and revoking it ends its refresh token', async ({
    assert,
  }) => {
    const { browser } = await signedIn()
    const { config, tokens } = await signInDevice(browser, 'Living Room TV', 'openid profile')
    const page = await browser.get(GRANTS)
    const devices = section(page.body, 'Devices')
    assert.include(pageText(devices), 'Living Room TV')
    assert.include(pageText(devices), 'View your basic profile information')
    assert.notInclude(pageText(section(page.body, 'Applications')), 'Living Room TV')

    /* still usable before the owner revokes it */
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!)
    const revoked = await browser.submit(readForm(devices, 'form[action="/accounts/grants/"]'), {
      action: 'revoke_device',
    })
    assert.equal(revoked.status, 303)
    assert.notInclude(
      pageText(section((await browser.get(GRANTS)).body, 'Devices')),
      'Living Room TV'
    )
    await assert.rejects(() => oidc.refreshTokenGrant(config, refreshed.refresh_token!))
  })

  test('nobody revokes another person’s device', async ({ assert }) => {
    const owner = await signedIn()
    const { config, tokens } = await signInDevice(owner.browser, 'Kitchen Radio', 'openid')
    const form = readForm(section((await owner.browser.get(GRANTS)).body, 'Devices'))

    const family = form.fields.find(([name]) => name === 'family')![1]
    /* another signed-in person posts the owner's family with a valid CSRF token of their own */
    const other = await signedIn()
    const csrf = readForm((await other.browser.get('/accounts/logout/')).body).fields.find(
      ([name]) => name === '_csrf'
    )![1]
    const attempt = await other.browser.post(GRANTS, {
      _csrf: csrf,
      action: 'revoke_device',
      family,
    })
    assert.equal(attempt.status, 303)
    assert.include(pageText((await owner.browser.get(GRANTS)).body), 'Kitchen Radio')
    assert.isString((await oidc.refreshTokenGrant(config, tokens.refresh_token!)).access_token)
  })
})
