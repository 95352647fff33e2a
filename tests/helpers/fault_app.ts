/**
 * An app process on a database that fails on demand (tests/helpers/faulty_mysql.ts),
 * with a person and a client of its own there, and the requests the fault
 * tests make of it: sign-in, an authorization that issues a code at once
 * (skip_consent), the code exchange, userinfo.
 */
import { generateKeyPairSync } from 'node:crypto'
import { startApp, type AppProcess } from '#tests/helpers/app_process'
import { Browser } from '#tests/helpers/browser'
import { createClient, createUser, type TestClient, type TestUser } from '#tests/helpers/factories'
import { faultyMysql, type FaultyMysql } from '#tests/helpers/faulty_mysql'
import { REDIRECT } from '#tests/helpers/endpoints'
import { authorizeUrl, pkcePair } from '#tests/helpers/oauth_checks'

export type FaultApp = {
  database: FaultyMysql
  server: AppProcess
  person: TestUser
  rp: TestClient
  stop(): Promise<void>
}

export async function startFaultApp(): Promise<FaultApp> {
  const database = await faultyMysql()
  const options = { connection: database.connection }
  const person = await createUser({}, options)
  const rp = await createClient(
    {
      redirectUris: [REDIRECT],
      skipConsent: true,
      grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'],
      scopes: ['openid', 'email', 'api'],
    },
    options
  )
  /* the signing key comes from the environment: the database may be down at boot-time checks */
  const key = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey
  const server = await startApp({
    ...database.appEnv,
    IDP_OIDC_PRIVATE_KEY: key.export({ type: 'pkcs8', format: 'pem' }) as string,
    IDP_OIDC_SIGNING_ALG: 'ES256',
  })
  return {
    database,
    server,
    person,
    rp,
    async stop() {
      await server.stop()
      await database.close()
    },
  }
}

export async function signIn(app: FaultApp) {
  const browser = new Browser(app.server.url)
  const page = await browser.signIn(app.person.email, app.person.password)
  if (page.status !== 303) throw new Error(`sign-in failed: ${page.status}`)
  return browser
}

/** GET /identity/o/authorize for a code; the response and the verifier */
export async function authorize(app: FaultApp, browser: Browser) {
  const pkce = pkcePair()
  const page = await browser.get(
    authorizeUrl({
      client_id: app.rp.id,
      redirect_uri: REDIRECT,
      response_type: 'code',
      scope: 'openid email',
      code_challenge: pkce.challenge,
      code_challenge_method: 'S256',
    })
  )
  const code = page.location ? new URL(page.location).searchParams.get('code') : null
  return { page, code, verifier: pkce.verifier }
}

export async function exchange(app: FaultApp, code: string, verifier: string) {
  const response = await fetch(`${app.server.url}/identity/o/api/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT,
      code_verifier: verifier,
      client_id: app.rp.id,
      client_secret: app.rp.secret!,
    }),
    signal: AbortSignal.timeout(20_000),
  })
  return { status: response.status, body: (await response.json()) as Record<string, string> }
}

export async function userinfo(app: FaultApp, accessToken: string) {
  const response = await fetch(`${app.server.url}/identity/o/api/userinfo`, {
    headers: { authorization: `Bearer ${accessToken}` },
    signal: AbortSignal.timeout(20_000),
  })
  return response.status
}
