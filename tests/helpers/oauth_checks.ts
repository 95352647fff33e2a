/**
 * Shared checks for the negative and abuse tests of the authorization, token
 * and userinfo endpoints: row counts (nothing written), a browser that keeps
 * every response it saw (no 307, no 500, no-store), raw API requests, and
 * readers for the three ways an authorization response is delivered.
 */
import { createHash } from 'node:crypto'
import { connect } from 'node:net'
import type { Assert } from '@japa/assert'
import db from '@adonisjs/lucid/services/db'
import limiter from '@adonisjs/limiter/services/main'
import { BASE_URL, Browser, readForm, type Page } from '#tests/helpers/browser'
import { AUTHORIZE, REDIRECT, TOKEN } from '#tests/helpers/endpoints'
import { createClient, createUser, type TestClient, type TestUser } from '#tests/helpers/factories'
import { randomValue } from '#services/oidc/protocol/random'

/** The rows an authorization or token request may write, for one client */
export async function rowCounts(clientId: string) {
  const count = async (table: string) => {
    const row = await db.from(table).where('client_id', clientId).count('* as total').first()
    return Number(row.total)
  }
  return {
    codes: await count('oidc_authorization_codes'),
    tokens: await count('oidc_tokens'),
    consents: await count('oidc_consents'),
  }
}

/**
 * Rate-limit counters are shared by the whole run (one IP, one process), so a
 * test that expects a 401 would get a 429 after other files' failures; each
 * test starts with fresh counters instead of a raised limit.
 */
export function resetRateLimits() {
  return limiter.clear()
}

/** Every response of the current test, checked by `assertCleanResponses` */
export const seen: Page[] = []

/** Browser that records what it saw */
export class RecordingBrowser extends Browser {
  async request(...args: Parameters<Browser['request']>) {
    const page = await super.request(...args)
    seen.push(page)
    return page
  }
}

/** S9 and docs/security.md#bad-input: no 307, no 500; every authorize response is no-store (docs/endpoints.md#authorization-responses) */
export function assertCleanResponses() {
  const pages = seen.splice(0)
  for (const page of pages) {
    if (page.status === 307) throw new Error(`307 from ${page.url}`)
    if (page.status >= 500)
      throw new Error(`${page.status} from ${page.url}: ${page.body.slice(0, 300)}`)
    if (
      new URL(page.url).pathname === AUTHORIZE &&
      page.headers.get('cache-control') !== 'no-store'
    ) {
      throw new Error(`no Cache-Control: no-store on ${page.status} from ${page.url}`)
    }
  }
}

/** A request with exactly this body and these headers (fetch adds no Content-Type for a Buffer) */
export async function rawRequest(
  method: string,
  path: string,
  body?: string | Buffer,
  headers: Record<string, string> = {}
): Promise<Page> {
  const url = new URL(path, BASE_URL)
  const response = await fetch(url, {
    method,
    redirect: 'manual',
    headers,
    body: typeof body === 'string' ? Buffer.from(body) : body,
  })
  const location = response.headers.get('location')
  const page = {
    status: response.status,
    headers: response.headers,
    body: await response.text(),
    location,
    url: url.href,
  }
  seen.push(page)
  return page
}

/** A form POST with exactly these parameters, to a path of the test server or an absolute URL */
export function postForm(
  path: string,
  params: Record<string, string> | URLSearchParams | string,
  headers: Record<string, string> = {}
) {
  const body = typeof params === 'string' ? params : new URLSearchParams(params).toString()
  return rawRequest('POST', path, body, {
    'content-type': 'application/x-www-form-urlencoded',
    ...headers,
  })
}

/** The headers of every API response: JSON, no-store, no-cache */
export function assertApiHeaders(assert: Assert, page: Page) {
  assert.equal(page.headers.get('content-type'), 'application/json; charset=utf-8')
  assert.equal(page.headers.get('cache-control'), 'no-store')
  assert.equal(page.headers.get('pragma'), 'no-cache')
}

/** An API error: this status, the API headers and exactly this JSON body */
export function assertJsonError(
  assert: Assert,
  page: Page,
  status: number,
  body: Record<string, string>
) {
  assert.equal(page.status, status, page.body)
  assertApiHeaders(assert, page)
  assert.deepEqual(JSON.parse(page.body), body)
}

/** The one Basic-auth encoder: both halves form-URL-encoded (RFC 6749 §2.3.1), then base64 */
export function basic(id: string, secret: string) {
  const encode = (value: string) => encodeURIComponent(value).replace(/%20/g, '+')
  return `Basic ${Buffer.from(`${encode(id)}:${encode(secret)}`).toString('base64')}`
}

export function authorizeUrl(params: Record<string, string | string[] | null>) {
  const query = new URLSearchParams()
  for (const [name, value] of Object.entries(params)) {
    if (value === null) continue
    for (const entry of Array.isArray(value) ? value : [value]) query.append(name, entry)
  }
  return `${AUTHORIZE}?${query}`
}

export function pkcePair() {
  const verifier = randomValue(32)
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') }
}

export type Delivered = {
  mode: 'query' | 'fragment' | 'form_post'
  target: string
  params: URLSearchParams
}

/** Where an authorization response went and what it carried */
export function delivered(page: Page): Delivered {
  if (page.status === 200 && page.body.includes('id="form_post"')) {
    const form = readForm(page.body, 'form[id="form_post"]')
    return { mode: 'form_post', target: form.action, params: new URLSearchParams(form.fields) }
  }
  if (!page.location) throw new Error(`not a redirect: ${page.status} ${page.body.slice(0, 500)}`)
  const url = new URL(page.location)
  const target = `${url.origin}${url.pathname}`
  if (url.hash) return { mode: 'fragment', target, params: new URLSearchParams(url.hash.slice(1)) }
  return { mode: 'query', target, params: url.searchParams }
}

/** A signed-in person with a browser, for the checks that run after the login gate */
export async function signedIn(): Promise<{ person: TestUser; browser: RecordingBrowser }> {
  const person = await createUser()
  const browser = new RecordingBrowser()
  const page = await browser.signIn(person.email, person.password)
  if (page.status !== 302 && page.status !== 303) throw new Error(`sign-in failed: ${page.status}`)
  return { person, browser }
}

/**
 * An authorization code issued through the real endpoint (skip_consent client,
 * so no consent page), with its verifier when PKCE was used.
 */
export async function issueCode(
  options: { rp?: TestClient; browser?: RecordingBrowser; pkce?: boolean; scope?: string } = {}
) {
  const rp = options.rp ?? (await createClient({ redirectUris: [REDIRECT], skipConsent: true }))
  const browser = options.browser ?? (await signedIn()).browser
  const pkce = pkcePair()
  const page = await browser.get(
    authorizeUrl({
      client_id: rp.id,
      redirect_uri: REDIRECT,
      response_type: 'code',
      scope: options.scope ?? 'openid email',
      state: 'st',
      code_challenge: options.pkce === false ? null : pkce.challenge,
      code_challenge_method: options.pkce === false ? null : 'S256',
    })
  )
  const code = delivered(page).params.get('code')
  if (!code) throw new Error(`no code: ${page.status} ${page.location}`)
  return { rp, browser, code, verifier: options.pkce === false ? null : pkce.verifier }
}

/** Exchanges a code at the token endpoint with client_secret_post; the parsed 200 body */
export async function redeemCode(rp: TestClient, code: string, verifier: string | null) {
  const params: Record<string, string> = {
    grant_type: 'authorization_code',
    code,
    redirect_uri: REDIRECT,
    client_id: rp.id,
  }
  if (rp.secret) params.client_secret = rp.secret
  if (verifier) params.code_verifier = verifier
  const page = await postForm(TOKEN, params)
  if (page.status !== 200) throw new Error(`token exchange failed: ${page.status} ${page.body}`)
  return JSON.parse(page.body) as {
    access_token: string
    refresh_token?: string
    id_token?: string
    scope: string
  }
}

/** Bytes written straight to the server, for requests fetch would clean up (e.g. raw non-ASCII in the URL); the status line's code */
export async function rawHttp(head: Buffer): Promise<{ status: number; response: string }> {
  const url = new URL(BASE_URL)
  const response = await new Promise<string>((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname, () => socket.end(head))
    let text = ''
    socket.on('data', (chunk) => (text += chunk.toString('latin1')))
    socket.on('end', () => resolve(text))
    socket.on('error', reject)
  })
  return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(response)?.[1]), response }
}
