import { test } from '@japa/runner'
import { createRemoteJWKSet, jwtVerify } from 'jose'
import { Browser, readForm, type Page } from '#tests/helpers/browser'
import { createClient, createUser, type TestUser } from '#tests/helpers/factories'
import { REDIRECT } from '#tests/helpers/endpoints'
import {
  ISSUER,
  answerConsent,
  authorizationUrl,
  discoverAs,
  redeemCallback,
  oidc,
} from '#tests/helpers/relying_party'
import { AUTHENTICATE, awayFromStepEdge, giveTotp, submitCode, totpCode } from '#tests/helpers/mfa'

const ACR_MFA = 'https://refeds.org/profile/mfa'
const ACR_SFA = 'https://refeds.org/profile/sfa'
const jwks = createRemoteJWKSet(new URL(`${ISSUER}/.well-known/jwks.json`))

const pathOf = (page: Page) => new URL(page.location!, ISSUER).pathname

/** The ID token's claims, its signature checked against the provider's JWKS */
async function verifiedClaims(idToken: string, audience: string) {
  const { payload } = await jwtVerify(idToken, jwks, { issuer: ISSUER, audience })
  return payload
}

/** The password step of the login page the authorize request sent the browser to */
async function passwordStep(browser: Browser, gate: Page, person: TestUser) {
  assert(pathOf(gate) === '/accounts/login/', `expected the login page, got ${gate.location}`)
  const login = await browser.get(gate.location!)
  return browser.submit(readForm(login.body, 'form[action="/accounts/login/"]'), {
    login: person.email,
    password: person.password,
  })
}

function assert(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(message)
}

async function relyingParty(overrides: Parameters<typeof createClient>[0] = {}) {
  const rp = await createClient(overrides)
  return { rp, config: await discoverAs(rp, 'post') }
}

test.group('amr and acr: what relying parties learn', () => {
  test('acr_values asking for MFA → password → TOTP → consent → an ID token with amr pwd, otp, mfa', async ({
    assert: check,
  }) => {
    const person = await createUser()
    const { secret } = await giveTotp(person.user.id)
    const { rp, config } = await relyingParty()
    const { url, secrets } = await authorizationUrl(config, REDIRECT, 'openid email', {
      acr_values: ACR_MFA,
    })
    const browser = new Browser()
    const afterPassword = await passwordStep(browser, await browser.get(url), person)
    check.equal(pathOf(afterPassword), AUTHENTICATE)
    await awayFromStepEdge()
    const afterCode = await submitCode(browser, totpCode(secret))
    check.equal(afterCode.location, url)
    const leaving = await answerConsent(browser, await browser.get(afterCode.location!))
    const tokens = await redeemCallback(config, new URL(leaving.location!), secrets)
    const claims = await verifiedClaims(tokens.id_token!, rp.id)
    check.deepEqual(claims.amr, ['pwd', 'otp', 'mfa'])
    check.equal(claims.acr, ACR_MFA)

    /* a refreshed ID token tells the same */
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!)
    const again = await verifiedClaims(refreshed.id_token!, rp.id)
    check.deepEqual(again.amr, ['pwd', 'otp', 'mfa'])
    check.equal(again.acr, ACR_MFA)
    check.equal(again.auth_time, claims.auth_time)
  })

  test('a password-only user: amr pwd and the single-factor acr', async ({ assert: check }) => {
    const person = await createUser()
    const { rp, config } = await relyingParty()
    const { url, secrets } = await authorizationUrl(config, REDIRECT, 'openid')
    const browser = new Browser()
    const back = await passwordStep(browser, await browser.get(url), person)
    const leaving = await answerConsent(browser, await browser.get(back.location!))
    const tokens = await redeemCallback(config, new URL(leaving.location!), secrets)
    const claims = await verifiedClaims(tokens.id_token!, rp.id)
    check.deepEqual(claims.amr, ['pwd'])
    check.equal(claims.acr, ACR_SFA)
  })

  test('MFA asked of a user without a second factor: unmet_authentication_requirements', async ({
    assert: check,
  }) => {
    const person = await createUser()
    const cases: { extra: Record<string, string>; client: { requireMfa?: boolean } }[] = [
      { extra: { acr_values: ACR_MFA }, client: {} },
      { extra: {}, client: { requireMfa: true } },
    ]
    for (const asked of cases) {
      const { config } = await relyingParty(asked.client)
      const { url, secrets } = await authorizationUrl(config, REDIRECT, 'openid', asked.extra)
      const browser = new Browser()
      const back = await passwordStep(browser, await browser.get(url), person)
      const leaving = await browser.get(back.location!)
      const callback = new URL(leaving.location!)
      check.equal(`${callback.origin}${callback.pathname}`, REDIRECT)
      check.equal(callback.searchParams.get('error'), 'unmet_authentication_requirements')
      check.equal(callback.searchParams.get('state'), secrets.state)
      check.isNull(callback.searchParams.get('code'))
    }
  })

  test('a password-only session steps up when MFA is asked, then carries it', async ({
    assert: check,
  }) => {
    const person = await createUser()
    const { rp, config } = await relyingParty()
    const browser = new Browser()
    await browser.signIn(person.email, person.password)
    /* TOTP added after this session signed in with its password */
    const { secret } = await giveTotp(person.user.id)
    const { url, secrets } = await authorizationUrl(config, REDIRECT, 'openid', {
      acr_values: ACR_MFA,
    })
    const gate = await browser.get(url)
    check.equal(pathOf(gate), AUTHENTICATE)
    await awayFromStepEdge()
    const afterCode = await submitCode(browser, totpCode(secret))
    check.equal(afterCode.location, url)
    const leaving = await answerConsent(browser, await browser.get(url))
    const tokens = await redeemCallback(config, new URL(leaving.location!), secrets)
    const claims = await verifiedClaims(tokens.id_token!, rp.id)
    check.deepEqual(claims.amr, ['pwd', 'otp', 'mfa'])
    check.equal(claims.acr, ACR_MFA)
  })

  test('a code given at /accounts/2fa/reauthenticate/ counts as the second factor', async ({
    assert: check,
  }) => {
    const person = await createUser()
    const { config } = await relyingParty()
    const browser = new Browser()
    await browser.signIn(person.email, person.password)
    const { secret } = await giveTotp(person.user.id)
    const page = await browser.get('/accounts/2fa/reauthenticate/?next=%2Faccounts%2F2fa%2F')
    const form = readForm(page.body, 'form[action="/accounts/2fa/reauthenticate/"]')
    const wrong = await browser.submit(form, { code: '000000' })
    check.equal(wrong.status, 200)
    check.include(wrong.body, 'Incorrect code.')
    await awayFromStepEdge()
    const done = await browser.submit(form, { code: totpCode(secret) })
    check.equal(done.status, 303)
    check.equal(pathOf(done), '/accounts/2fa/')
    const { url } = await authorizationUrl(config, REDIRECT, 'openid', { acr_values: ACR_MFA })
    const consent = await browser.get(url)
    check.equal(consent.status, 200, 'no step-up: the consent page')
    check.include(consent.body, 'name="request"')
  })

  test('prompt=none that would need the second factor: interaction_required', async ({
    assert: check,
  }) => {
    const person = await createUser()
    const { config } = await relyingParty()
    const browser = new Browser()
    await browser.signIn(person.email, person.password)
    await giveTotp(person.user.id)
    const { url } = await authorizationUrl(config, REDIRECT, 'openid', { prompt: 'none' })
    const leaving = await browser.get(url)
    check.equal(new URL(leaving.location!).searchParams.get('error'), 'interaction_required')
  })

  test('prompt=login and max_age=0 make a two-factor user give the code again', async ({
    assert: check,
  }) => {
    const person = await createUser()
    const { secret } = await giveTotp(person.user.id)
    const { rp, config } = await relyingParty({ skipConsent: true })
    const browser = new Browser()
    await awayFromStepEdge()
    const first = await browser.signIn(person.email, person.password)
    check.equal(pathOf(first), AUTHENTICATE)
    await submitCode(browser, totpCode(secret, -1))
    for (const [extra, steps] of [
      [{ prompt: 'login' }, 0],
      [{ max_age: '0' }, 1],
    ] as const) {
      const { url, secrets } = await authorizationUrl(config, REDIRECT, 'openid', extra)
      const afterPassword = await passwordStep(browser, await browser.get(url), person)
      check.equal(pathOf(afterPassword), AUTHENTICATE, JSON.stringify(extra))
      await awayFromStepEdge()
      const afterCode = await submitCode(browser, totpCode(secret, steps))
      const leaving = await browser.get(afterCode.location!)
      const tokens = await redeemCallback(config, new URL(leaving.location!), secrets)
      const claims = await verifiedClaims(tokens.id_token!, rp.id)
      check.deepEqual(claims.amr, ['pwd', 'otp', 'mfa'])
    }
  })
})
