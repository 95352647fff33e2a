import { test } from '@japa/runner'
import { BASE_URL, Browser, readForm, type Page } from '#tests/helpers/browser'
import { createClient } from '#tests/helpers/factories'
import { answerConsent, authorizationUrl, discoverAs, oidc } from '#tests/helpers/relying_party'
import { mailSink } from '#tests/helpers/mail_sink'
import { newAccount, SIGNUP, useAccountSettings, type NewAccount } from '#tests/helpers/accounts'

const REDIRECT = 'https://rp.example/callback'

/** The sign-up link of the login page, followed, and its form posted */
async function signUpFromLogin(browser: Browser, login: Page, account: NewAccount) {
  const href = /href="(\/accounts\/signup\/[^"]*)"/.exec(login.body)![1].replaceAll('&amp;', '&')
  const page = await browser.get(href)
  return browser.submit(readForm(page.body, `form[action="${SIGNUP}"]`), {
    email: account.email,
    username: account.username,
    password1: account.password,
    password2: account.password,
  })
}

async function startFlow() {
  const rp = await createClient({ redirectUris: [REDIRECT] })
  const config = await discoverAs(rp, 'post')
  const flow = await authorizationUrl(config, REDIRECT, 'openid email profile')
  return { config, ...flow }
}

async function finish(
  config: Awaited<ReturnType<typeof startFlow>>['config'],
  secrets: Awaited<ReturnType<typeof startFlow>>['secrets'],
  leaving: Page
) {
  return oidc.authorizationCodeGrant(config, new URL(leaving.location!), {
    pkceCodeVerifier: secrets.verifier,
    expectedState: secrets.state,
    expectedNonce: secrets.nonce,
    idTokenExpected: true,
  })
}

test.group('A new person arriving from a relying party', () => {
  test('mandatory: authorize → sign up → confirm from the mail → sign in → consent → back with email_verified', async ({
    assert,
    cleanup,
  }) => {
    useAccountSettings(cleanup, { emailVerification: 'mandatory' })
    const { config, url, secrets } = await startFlow()
    const account = newAccount('journey')
    const browser = new Browser()

    const gate = await browser.get(url)
    const login = await browser.get(gate.location!)
    const signedUp = await signUpFromLogin(browser, login, account)
    assert.equal(signedUp.location, `${BASE_URL}/accounts/confirm-email/`)

    const link = (await mailSink.nextMail(account.email)).links[0]
    const confirmPage = await browser.get(link)
    const confirmed = await browser.submit(
      readForm(confirmPage.body, `form[action="${new URL(link).pathname}"]`)
    )
    const loginAgain = await browser.get(confirmed.location!)
    const back = await browser.submit(
      readForm(loginAgain.body, 'form[action="/accounts/login/"]'),
      {
        login: account.username,
        password: account.password,
      }
    )
    const authorizeUrl = new URL(url)
    assert.equal(back.location, `${BASE_URL}${authorizeUrl.pathname}${authorizeUrl.search}`)

    const consent = await browser.get(back.location!)
    const leaving = await answerConsent(browser, consent)
    assert.equal(new URL(leaving.location!).origin + new URL(leaving.location!).pathname, REDIRECT)
    const claims = (await finish(config, secrets, leaving)).claims()!
    assert.equal(claims.email, account.email)
    assert.isTrue(claims.email_verified)
  })

  test('optional: sign-up lands straight back in the flow, with email_verified false until confirmed', async ({
    assert,
  }) => {
    const { config, url, secrets } = await startFlow()
    const account = newAccount('journey-optional')
    const browser = new Browser()
    const login = await browser.get((await browser.get(url)).location!)
    const signedUp = await signUpFromLogin(browser, login, account)
    const authorizeUrl = new URL(url)
    assert.equal(signedUp.location, `${BASE_URL}${authorizeUrl.pathname}${authorizeUrl.search}`)
    const leaving = await answerConsent(browser, await browser.get(signedUp.location!))
    const claims = (await finish(config, secrets, leaving)).claims()!
    assert.equal(claims.email, account.email)
    assert.isFalse(claims.email_verified)
    assert.lengthOf((await mailSink.nextMail(account.email)).links, 1)
  })

  test('login_hint fills the login field', async ({ assert }) => {
    const rp = await createClient({ redirectUris: [REDIRECT] })
    const config = await discoverAs(rp, 'post')
    const { url } = await authorizationUrl(config, REDIRECT, 'openid', {
      login_hint: 'ada@example.com',
    })
    const browser = new Browser()
    const login = await browser.get((await browser.get(url)).location!)
    assert.deepInclude(readForm(login.body, 'form[action="/accounts/login/"]').fields, [
      'login',
      'ada@example.com',
    ])
  })
})
