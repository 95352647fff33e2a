/**
 * A relying party built on openid-client (a real RP library), plus the
 * person's side of a sign-in: the login page, the consent page, the redirect.
 */
import * as oidc from 'openid-client'
import { BASE_URL, type Browser, readForm, type Page } from '#tests/helpers/browser'
import type { TestClient, TestUser } from '#tests/helpers/factories'
import { REDIRECT } from '#tests/helpers/endpoints'

export const ISSUER = BASE_URL

export type ClientAuth = 'post' | 'basic' | 'none'

export async function discoverAs(client: TestClient, auth: ClientAuth) {
  const method =
    auth === 'post'
      ? oidc.ClientSecretPost(client.secret!)
      : auth === 'basic'
        ? oidc.ClientSecretBasic(client.secret!)
        : oidc.None()
  return oidc.discovery(new URL(ISSUER), client.id, undefined, method, {
    execute: [oidc.allowInsecureRequests],
  })
}

/** Consent page → the redirect answering it; approves every offered scope unless told otherwise */
export async function answerConsent(
  browser: Browser,
  page: Page,
  values: Record<string, string | string[] | null> = {}
) {
  const form = readForm(page.body, 'form[action="/identity/o/authorize"]')
  return browser.submit(form, { action: 'grant', ...values })
}

/**
 * Opens an authorization URL as the person: signs in when the login page
 * comes, then consents when the consent page comes. Returns the response that
 * leaves the provider (the redirect to the RP, or a page).
 */
export async function authorizeInBrowser(
  browser: Browser,
  url: string,
  person: TestUser,
  consent: Record<string, string | string[] | null> | false = {}
) {
  let page = await browser.get(url)
  if (page.location?.includes('/accounts/login/')) {
    const login = await browser.get(page.location)
    page = await browser.follow(
      await browser.submit(readForm(login.body, 'form[action="/accounts/login/"]'), {
        login: person.email,
        password: person.password,
      })
    )
  }
  if (consent !== false && page.status === 200 && page.body.includes('name="request"')) {
    page = await answerConsent(browser, page, consent)
  }
  return page
}

export type FlowSecrets = { state: string; nonce: string; verifier: string }

export async function authorizationUrl(
  config: oidc.Configuration,
  redirectUri: string,
  scope: string,
  extra: Record<string, string> = {}
) {
  const secrets: FlowSecrets = {
    state: oidc.randomState(),
    nonce: oidc.randomNonce(),
    verifier: oidc.randomPKCECodeVerifier(),
  }
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope,
    state: secrets.state,
    nonce: secrets.nonce,
    code_challenge: await oidc.calculatePKCECodeChallenge(secrets.verifier),
    code_challenge_method: 'S256',
    ...extra,
  })
  return { url: url.href, secrets }
}

/**
 * The RP redeems the code of an authorization response (a callback URL, or a
 * form_post request), checking state and PKCE; `checks` adds openid-client's
 * other checks, by default the nonce (which makes it require an ID token).
 */
export function redeemCallback(
  config: oidc.Configuration,
  response: URL | Request,
  secrets: FlowSecrets,
  checks: oidc.AuthorizationCodeGrantChecks = { expectedNonce: secrets.nonce }
) {
  return oidc.authorizationCodeGrant(config, response, {
    pkceCodeVerifier: secrets.verifier,
    expectedState: secrets.state,
    ...checks,
  })
}

/**
 * The whole code flow at REDIRECT: the RP's authorization URL, the person's
 * sign-in and consent, the RP's token request. The nonce is checked when
 * `scope` has openid, since only openid brings an ID token.
 */
export async function runCodeFlow(
  config: oidc.Configuration,
  browser: Browser,
  person: TestUser,
  scope = 'openid',
  consent: Record<string, string | string[] | null> = {}
) {
  const { url, secrets } = await authorizationUrl(config, REDIRECT, scope)
  const leaving = await authorizeInBrowser(browser, url, person, consent)
  const nonce = scope.split(' ').includes('openid') ? { expectedNonce: secrets.nonce } : {}
  return redeemCallback(config, new URL(leaving.location!), secrets, nonce)
}

export { oidc }
