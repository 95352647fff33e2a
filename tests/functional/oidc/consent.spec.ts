import { test } from '@japa/runner'
import OidcConsent from '#models/oidc_consent'
import OidcToken from '#models/oidc_token'
import EmailAddress from '#models/email_address'
import { Browser, readForm } from '#tests/helpers/browser'
import { REDIRECT } from '#tests/helpers/endpoints'
import { createClient, createUser } from '#tests/helpers/factories'
import {
  answerConsent,
  authorizationUrl,
  authorizeInBrowser,
  discoverAs,
  oidc,
  redeemCallback,
  runCodeFlow,
} from '#tests/helpers/relying_party'
import { loadAdapter } from '#services/oidc/adapter/loader'

async function signedInFlow(options: { skipConsent?: boolean; scopes?: string[] } = {}) {
  const person = await createUser()
  const rp = await createClient({
    redirectUris: [REDIRECT],
    skipConsent: options.skipConsent,
    scopes: options.scopes,
  })
  const config = await discoverAs(rp, 'post')
  const browser = new Browser()
  await browser.signIn(person.email, person.password)
  return { person, rp, config, browser }
}

test.group('Consent', () => {
  test('the consent page lists every requested scope with its label, sorted by label', async ({
    assert,
  }) => {
    const { config, browser } = await signedInFlow()
    const { url } = await authorizationUrl(config, REDIRECT, 'openid profile email')
    const page = await browser.get(url)
    assert.equal(page.status, 200)
    assert.include(page.body, 'Authorize Test RP')
    const labels = [
      ...page.body.matchAll(/name="scopes" value="([^"]+)" checked>\s*([^<]+)</g),
    ].map((m) => [m[1], m[2].trim()])
    assert.deepEqual(labels, [
      ['profile', 'View your basic profile information'],
      ['email', 'View your email address'],
      ['openid', 'View your user ID'],
    ])
  })

  test('a remembered consent goes straight through; prompt=consent always asks', async ({
    assert,
  }) => {
    const { person, rp, config, browser } = await signedInFlow()
    const first = await authorizationUrl(config, REDIRECT, 'openid email')
    const granted = await authorizeInBrowser(browser, first.url, person)
    assert.equal(granted.status, 303)
    const consent = await OidcConsent.query()
      .where('user_id', person.user.id)
      .where('client_id', rp.id)
      .firstOrFail()
    assert.deepEqual(consent.scopes, ['openid', 'email'])

    const again = await authorizationUrl(config, REDIRECT, 'openid')
    const direct = await browser.get(again.url)
    assert.equal(direct.status, 302)
    assert.isTrue(new URL(direct.location!).searchParams.has('code'))

    const forced = await browser.get(
      (await authorizationUrl(config, REDIRECT, 'openid', { prompt: 'consent' })).url
    )
    assert.equal(forced.status, 200)
    assert.include(forced.body, 'name="request"')

    const wider = await browser.get(
      (await authorizationUrl(config, REDIRECT, 'openid profile')).url
    )
    assert.equal(wider.status, 200, 'a scope not yet granted asks again')
  })

  test('skip_consent clients are not asked', async ({ assert }) => {
    const { config, browser } = await signedInFlow({ skipConsent: true })
    const page = await browser.get((await authorizationUrl(config, REDIRECT, 'openid profile')).url)
    assert.equal(page.status, 302)
    assert.isTrue(new URL(page.location!).searchParams.has('code'))
  })

  test('unticking a scope grants only the rest', async ({ assert }) => {
    const { config, browser } = await signedInFlow()
    const { url, secrets } = await authorizationUrl(config, REDIRECT, 'openid profile email')
    const page = await browser.get(url)
    const leaving = await answerConsent(browser, page, { scopes: ['openid', 'email'] })
    const tokens = await redeemCallback(config, new URL(leaving.location!), secrets)
    assert.equal(tokens.scope, 'openid email')
    assert.notProperty(tokens.claims()!, 'name')
  })

  test('the email chosen at consent is the one userinfo and the ID token show', async ({
    assert,
  }) => {
    const { person, config, browser } = await signedInFlow()
    const second = `second-${person.user.id}@example.com`
    await EmailAddress.create({
      userId: person.user.id,
      email: second,
      verified: true,
      primary: false,
    })
    await EmailAddress.create({
      userId: person.user.id,
      email: `unverified-${person.user.id}@example.com`,
      verified: false,
      primary: false,
    })
    const { url, secrets } = await authorizationUrl(config, REDIRECT, 'openid email')
    const page = await browser.get(url)
    const options = [...page.body.matchAll(/<option value="([^"]+)"/g)].map((m) => m[1])
    assert.deepEqual(options, [person.email, second], 'primary first, verified only')
    const leaving = await answerConsent(browser, page, { email: second })
    const tokens = await redeemCallback(config, new URL(leaving.location!), secrets)
    assert.equal(tokens.claims()!.email, second)
    const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, tokens.claims()!.sub)
    assert.equal(userinfo.email, second)
  })

  test('the grants page lists a consent and revoking it kills the tokens', async ({ assert }) => {
    const { person, rp, config, browser } = await signedInFlow()
    const tokens = await runCodeFlow(config, browser, person)

    const page = await browser.get('/accounts/grants/')
    assert.equal(page.status, 200)
    assert.include(page.body, 'Test RP')
    const revoked = await browser.submit(readForm(page.body, 'form[action="/accounts/grants/"]'), {
      action: 'revoke',
    })
    assert.equal(revoked.status, 303)
    assert.isNull(
      await OidcConsent.query().where('user_id', person.user.id).where('client_id', rp.id).first()
    )
    const live = await OidcToken.query()
      .where('user_id', person.user.id)
      .where('client_id', rp.id)
      .whereNull('revoked_at')
    assert.lengthOf(live, 0)
    await assert.rejects(() =>
      oidc.fetchUserInfo(config, tokens.access_token, tokens.claims()!.sub)
    )
  })

  test('the grants page needs a signed-in user', async ({ assert }) => {
    const page = await new Browser().get('/accounts/grants/')
    assert.equal(page.status, 302)
    assert.equal(
      page.location,
      new URL('/accounts/login/?next=%2Faccounts%2Fgrants%2F', page.url).href
    )
  })
})

test.group('Custom adapter (README "Customising claims")', (group) => {
  group.setup(async () => {
    await loadAdapter('#services/groups_oidc_adapter')
    return () => loadAdapter('#services/oidc/adapter/adapter')
  })

  test('adds a groups claim with its consent label to the ID token and userinfo', async ({
    assert,
  }) => {
    const person = await createUser({ profile: { groups: ['admins', 'staff'] } })
    const rp = await createClient({
      redirectUris: [REDIRECT],
      scopes: ['openid', 'profile', 'groups'],
    })
    const config = await discoverAs(rp, 'basic')
    const browser = new Browser()
    const { url, secrets } = await authorizationUrl(config, REDIRECT, 'openid groups')
    await browser.signIn(person.email, person.password)
    const page = await browser.get(url)
    assert.include(page.body, 'View your groups')
    const leaving = await answerConsent(browser, page)
    const tokens = await redeemCallback(config, new URL(leaving.location!), secrets)
    assert.deepEqual(tokens.claims()!.groups, ['admins', 'staff'])
    const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, tokens.claims()!.sub)
    assert.deepEqual(userinfo.groups, ['admins', 'staff'])
  })
})
