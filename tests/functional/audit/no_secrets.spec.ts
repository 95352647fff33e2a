import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { startApp, type AppProcess } from '#tests/helpers/app_process'
import { Browser, readForm } from '#tests/helpers/browser'
import { createClient, createUser } from '#tests/helpers/factories'
import { authorizeInBrowser } from '#tests/helpers/relying_party'
import { authorizeUrl, basic, pkcePair } from '#tests/helpers/oauth_checks'
import { REDIRECT } from '#tests/helpers/endpoints'
import { runAce } from '#tests/helpers/ace_process'
import { until } from '#tests/helpers/until'

type Tokens = Record<'access_token' | 'refresh_token' | 'id_token', string>

async function tokenRequest(app: AppProcess, fields: Record<string, string>, authorization = '') {
  const response = await fetch(`${app.url}/identity/o/api/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...(authorization ? { authorization } : {}),
    },
    body: new URLSearchParams(fields),
  })
  return { status: response.status, body: (await response.json()) as Tokens }
}

const lastEventId = async () => Number((await db.from('audit_events').max('id as id'))[0].id ?? 0)

test.group('Audit events hold no secret', (group) => {
  /* a second app process and two admin commands, each booting: slow on a busy machine */
  group.each.timeout(180_000)

  test('after every recorded flow, no password, code, token or client secret is in an event or in the log', async ({
    assert,
    cleanup,
  }) => {
    const app = await startApp({ LOG_LEVEL: 'info' }, { timeoutMs: 60_000 })
    cleanup(() => app.stop())
    const since = await lastEventId()
    const person = await createUser({ password: 'person-password-4e1b9a' })
    const rp = await createClient({
      redirectUris: [REDIRECT],
      grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'],
      responseTypes: ['code', 'id_token token'],
    })
    const browser = new Browser(app.url)
    const { verifier, challenge } = pkcePair()
    const state = 'state-0c7d1f5e'
    const nonce = 'nonce-b2a94c17'

    /* sign-in failure, sign-in, consent */
    const wrongPassword = 'wrong-password-a81c3d'
    const login = await browser.get('/accounts/login/')
    await browser.submit(readForm(login.body, 'form[action="/accounts/login/"]'), {
      login: person.email,
      password: wrongPassword,
    })
    const leaving = await authorizeInBrowser(
      browser,
      authorizeUrl({
        client_id: rp.id,
        response_type: 'code',
        scope: 'openid email',
        redirect_uri: REDIRECT,
        state,
        nonce,
        code_challenge: challenge,
        code_challenge_method: 'S256',
      }),
      person
    )
    const code = new URL(leaving.location!).searchParams.get('code')!

    /* tokens issued, refreshed, a refresh token reused, the code replayed */
    const credentials = { client_id: rp.id, client_secret: rp.secret! }
    const redemption = {
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT,
      code_verifier: verifier,
      ...credentials,
    }
    const issued = (await tokenRequest(app, redemption)).body
    const refreshed = (
      await tokenRequest(app, {
        grant_type: 'refresh_token',
        refresh_token: issued.refresh_token,
        ...credentials,
      })
    ).body
    await tokenRequest(app, {
      grant_type: 'refresh_token',
      refresh_token: issued.refresh_token,
      ...credentials,
    })
    await tokenRequest(app, redemption)

    /* implicit at the authorization endpoint, client credentials, a wrong client secret */
    const implicit = await browser.get(
      authorizeUrl({
        client_id: rp.id,
        response_type: 'id_token token',
        scope: 'openid',
        redirect_uri: REDIRECT,
        nonce,
      })
    )
    const fragment = new URLSearchParams(new URL(implicit.location!).hash.slice(1))
    const forClient = (
      await tokenRequest(app, { grant_type: 'client_credentials', ...credentials })
    ).body
    const wrongSecret = 'wrong-client-secret-5f0e2b7c'
    assert.equal(
      (await tokenRequest(app, { grant_type: 'client_credentials' }, basic(rp.id, wrongSecret)))
        .status,
      401
    )

    /* consent revoked, signed out */
    const grants = await browser.get('/accounts/grants/')
    await browser.submit(readForm(grants.body, 'form[action="/accounts/grants/"]'), {
      action: 'revoke',
    })
    const home = await browser.get('/')
    await browser.submit(readForm(home.body, 'form[action="/accounts/logout/"]'))

    /* admin commands at the info level: their audit line goes to stderr, stdout keeps the result alone */
    const adminPassword = 'admin-set-password-7d2e90'
    const created = await runAce(
      ['client:create', '--name', 'Secretive', '--redirect-uris', REDIRECT, '--json'],
      { LOG_LEVEL: 'info' }
    )
    assert.equal(created.code, 0)
    const newClient = JSON.parse(created.stdout)
    const newUser = await runAce(
      [
        'user:create',
        '--email',
        `secretive-${Date.now()}@example.com`,
        '--password',
        adminPassword,
        '--json',
      ],
      { LOG_LEVEL: 'info' }
    )
    assert.equal(newUser.code, 0)
    JSON.parse(newUser.stdout)
    for (const run of [created, newUser]) {
      const line = JSON.parse(run.stderr.trim().split('\n').at(-1)!)
      assert.match(line.audit.type, /^admin\./)
      assert.match(line.audit.actor, /^ace/)
    }

    const expected = [
      'sign_in.failed',
      'sign_in.succeeded',
      'consent.given',
      'tokens.issued',
      'refresh_token.reused',
      'authorization_code.replayed',
      'client_auth.failed',
      'consent.revoked',
      'sign_out',
      'admin.client_created',
      'admin.user_created',
    ]
    const rows = await until(async () => {
      const found = await db.from('audit_events').where('id', '>', since).orderBy('id')
      const issues = found.filter((row) => row.type === 'tokens.issued').length
      return issues === 4 && found
    })
    assert.includeMembers(
      rows.map((row) => row.type),
      expected
    )
    const logLines = app
      .stdout()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line))
      .filter((line) => line.audit)
    assert.includeMembers(
      logLines.map((line) => line.audit.type),
      expected.filter((type) => !type.startsWith('admin.'))
    )

    const stored = JSON.stringify(rows)
    const logged = app.stdout() + app.stderr() + created.stderr + newUser.stderr
    const secrets = {
      password: person.password,
      wrongPassword,
      adminPassword,
      code,
      verifier,
      state,
      nonce,
      clientSecret: rp.secret!,
      wrongSecret,
      newClientSecret: newClient.secret,
      accessToken: issued.access_token,
      refreshToken: issued.refresh_token,
      idToken: issued.id_token,
      refreshedAccessToken: refreshed.access_token,
      refreshedRefreshToken: refreshed.refresh_token,
      implicitAccessToken: fragment.get('access_token')!,
      implicitIdToken: fragment.get('id_token')!,
      clientCredentialsToken: forClient.access_token,
    }
    for (const [name, value] of Object.entries(secrets)) {
      assert.isString(value, name)
      assert.notInclude(stored, value, `an audit event holds the ${name}`)
      assert.notInclude(logged, value, `the log holds the ${name}`)
    }
  })
})
