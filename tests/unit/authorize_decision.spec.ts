import { test } from '@japa/runner'
import OidcAuthorizationCode from '#models/oidc_authorization_code'
import {
  decideAuthorization,
  decideConsent,
  type AuthorizeOutcome,
  type Requester,
} from '#services/oidc/authorize/decision'
import { makeAdapter } from '#services/oidc/adapter/loader'
import { OAuthError } from '#services/oidc/protocol/errors'
import { findConsent } from '#services/oidc/authorize/consent_store'
import { REDIRECT } from '#tests/helpers/endpoints'
import { createClient, createUser, type TestClient } from '#tests/helpers/factories'
import { rejected } from '#tests/helpers/thrown'

function query(client: TestClient, extra: Record<string, string> = {}) {
  return new URLSearchParams({
    client_id: client.id,
    redirect_uri: REDIRECT,
    response_type: 'code',
    scope: 'openid email profile',
    state: 'st',
    code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    code_challenge_method: 'S256',
    ...extra,
  }).toString()
}

async function signedIn(): Promise<Requester> {
  const { user } = await createUser()
  const session = {
    user,
    authTime: Math.floor(Date.now() / 1000) - 60,
    sid: 'sid-1',
    amr: ['pwd' as const],
  }
  return { adapter: makeAdapter(null), session, ip: '127.0.0.1' }
}

const anonymous = (): Requester => ({ adapter: makeAdapter(null), session: null, ip: '127.0.0.1' })

function expectKind<K extends AuthorizeOutcome['kind']>(
  outcome: AuthorizeOutcome,
  kind: K
): Extract<AuthorizeOutcome, { kind: K }> {
  if (outcome.kind !== kind) throw new Error(`expected ${kind}, got ${outcome.kind}`)
  return outcome as Extract<AuthorizeOutcome, { kind: K }>
}

test.group('The authorize decision, without HTTP', () => {
  test('an anonymous browser is sent to log in with the request as next and the login hint', async ({
    assert,
  }) => {
    const client = await createClient()
    const text = query(client, { login_hint: 'ada@example.com' })
    const login = expectKind(await decideAuthorization(anonymous(), text), 'login')
    assert.equal(login.next, `/identity/o/authorize?${text}`)
    assert.equal(login.loginHint, 'ada@example.com')
  })

  test('prompt=login logs in again, and the next request cannot ask for it a second time', async ({
    assert,
  }) => {
    const client = await createClient()
    const text = query(client, { prompt: 'login consent', max_age: '5' })
    const login = expectKind(await decideAuthorization(await signedIn(), text), 'login')
    const next = new URL(login.next, 'https://idp.example').searchParams
    assert.equal(next.get('prompt'), 'consent')
    assert.isNull(next.get('max_age'))
  })

  test('prompt=none without a session is login_required at the redirect URI', async ({
    assert,
  }) => {
    const client = await createClient()
    const error = await rejected(
      OAuthError,
      decideAuthorization(anonymous(), query(client, { prompt: 'none' }))
    )
    assert.equal(error.error, 'login_required')
    assert.deepInclude(error.delivery, { kind: 'redirect', redirectUri: REDIRECT, state: 'st' })
  })

  test('an unknown client is the error page, never a redirect', async ({ assert }) => {
    const error = await rejected(
      OAuthError,
      decideAuthorization(await signedIn(), `client_id=nobody&redirect_uri=${REDIRECT}`)
    )
    assert.equal(error.error, 'invalid_request')
    assert.deepEqual(error.delivery, { kind: 'page' })
  })

  test('without consent the page is asked for, its scopes sorted by label', async ({ assert }) => {
    const client = await createClient()
    const consent = expectKind(
      await decideAuthorization(await signedIn(), query(client)),
      'consent'
    )
    const labels = consent.page.scopes.map((scope) => scope.label)
    assert.deepEqual(
      labels,
      [...labels].sort((a, b) => a.localeCompare(b))
    )
    assert.isTrue(consent.page.scopes.every((scope) => scope.checked))
    assert.isString(consent.page.request)
  })

  test('prompt=none without consent is consent_required', async ({ assert }) => {
    const client = await createClient()
    const error = await rejected(
      OAuthError,
      decideAuthorization(await signedIn(), query(client, { prompt: 'none' }))
    )
    assert.equal(error.error, 'consent_required')
  })

  test('a skip-consent client is answered at once with a stored code, state and iss', async ({
    assert,
  }) => {
    const client = await createClient({ skipConsent: true })
    const requester = await signedIn()
    const outcome = await decideAuthorization(requester, query(client))
    const { response } = expectKind(outcome, 'respond')
    assert.deepEqual(response.target, {
      redirectUri: REDIRECT,
      responseMode: 'query',
      answersPost: false,
    })
    assert.equal(response.params.state, 'st')
    assert.equal(response.params.iss, requester.adapter.getIssuer())
    const row = await OidcAuthorizationCode.findByOrFail(
      'hash',
      requester.adapter.hashToken(response.params.code)
    )
    assert.equal(row.userId, requester.session!.user.id)
  })

  test('the consent form grants, remembers the consent and answers the POST with 303', async ({
    assert,
  }) => {
    const client = await createClient()
    const requester = await signedIn()
    const { page } = expectKind(await decideAuthorization(requester, query(client)), 'consent')
    const form = new Map([
      ['request', [page.request]],
      ['action', ['grant']],
      ['scopes', ['openid', 'email']],
    ])
    const { response } = expectKind(await decideConsent(requester, form), 'respond')
    assert.isTrue(response.target.answersPost)
    const consent = await findConsent(requester.session!.user.id, client.id)
    assert.deepEqual(consent?.scopes, ['openid', 'email'])
  })

  test('a cancelled consent is access_denied at the redirect URI; another user cannot post it', async ({
    assert,
  }) => {
    const client = await createClient()
    const requester = await signedIn()
    const { page } = expectKind(await decideAuthorization(requester, query(client)), 'consent')
    const cancel = new Map([
      ['request', [page.request]],
      ['action', ['cancel']],
    ])
    const denied = await rejected(OAuthError, decideConsent(requester, cancel))
    assert.equal(denied.error, 'access_denied')
    assert.deepInclude(denied.delivery, { kind: 'redirect', answersPost: true })

    const forged = await rejected(OAuthError, decideConsent(await signedIn(), cancel))
    assert.equal(forged.error, 'forbidden')
    assert.deepEqual(forged.delivery, { kind: 'page' })
  })
})
