/**
 * Helpers for the token life-cycle tests: a signed-in code flow that ends
 * with tokens, the stored rows behind a token value, OAuth failures read the
 * same way whether openid-client or a raw request met them, and settings
 * changed for one test (the config object is read on every request).
 */
import { createHash } from 'node:crypto'
import OidcToken from '#models/oidc_token'
import oidcConfig, { type OidcConfig } from '#config/oidc'
import { sha256Hex } from '#services/oidc/protocol/random'
import { Browser, type Page } from '#tests/helpers/browser'
import { REDIRECT } from '#tests/helpers/endpoints'
import { createClient, createUser, type TestClient, type TestUser } from '#tests/helpers/factories'
import { basic, postForm } from '#tests/helpers/oauth_checks'
import { discoverAs, oidc, runCodeFlow, type ClientAuth } from '#tests/helpers/relying_party'

export type CodeFlowOptions = {
  client?: Parameters<typeof createClient>[0]
  auth?: ClientAuth
  person?: TestUser
  scope?: string
  /** Values for the consent form (e.g. the email to share) */
  consent?: Record<string, string | string[] | null>
}

/** A person signs in at a new client through the code flow; the RP (openid-client) redeems the code */
export async function codeFlow(options: CodeFlowOptions = {}) {
  const person = options.person ?? (await createUser())
  const auth = options.auth ?? 'post'
  const rp = await createClient({
    redirectUris: [REDIRECT],
    ...(auth === 'none' ? { type: 'public' } : {}),
    ...options.client,
  })
  const config = await discoverAs(rp, auth)
  const browser = new Browser()
  const scope = options.scope ?? 'openid profile email'
  const tokens = await runCodeFlow(config, browser, person, scope, options.consent)
  return { person, rp, config, browser, tokens }
}

/** OIDC Core §3.1.3.6: base64url of the left half of SHA-256 (RS256 keys sign in these tests) */
export function halfHash(value: string) {
  const digest = createHash('sha256').update(value, 'ascii').digest()
  return digest.subarray(0, 16).toString('base64url')
}

/** The stored row of a token value */
export function tokenRow(value: string) {
  return OidcToken.findByOrFail('hash', sha256Hex(value))
}

export function familyRows(familyId: string) {
  return OidcToken.query().where('family_id', familyId).orderBy('id')
}

export function clientRows(clientId: string) {
  return OidcToken.query().where('client_id', clientId).orderBy('id')
}

export type Failure = { status: number; body: unknown; wwwAuthenticate: string | null }

/** What an RP saw when openid-client refused a response: status, JSON body, challenge */
export async function failure(promise: Promise<unknown>): Promise<Failure> {
  try {
    await promise
  } catch (error) {
    if (error instanceof oidc.ResponseBodyError) {
      return {
        status: error.status,
        body: error.cause,
        wwwAuthenticate: error.response.headers.get('www-authenticate'),
      }
    }
    if (error instanceof oidc.WWWAuthenticateChallengeError) {
      const response = error.response
      return {
        status: response.status,
        body: response.bodyUsed ? null : await response.json(),
        wwwAuthenticate: response.headers.get('www-authenticate'),
      }
    }
    /* a status openid-client does not expect (5xx) comes with the response as the cause */
    const cause = (error as { cause?: unknown }).cause
    if (cause instanceof Response) {
      return {
        status: cause.status,
        body: cause.bodyUsed ? null : await cause.json(),
        wwwAuthenticate: cause.headers.get('www-authenticate'),
      }
    }
    throw error
  }
  throw new Error('expected the request to fail')
}

/** postForm to an API endpoint, authenticated with Basic when a confidential client is given */
export function apiPost(
  path: string,
  form: Record<string, string>,
  client?: TestClient,
  headers: Record<string, string> = {}
) {
  return postForm(path, form, {
    ...(client?.secret ? { authorization: basic(client.id, client.secret) } : {}),
    ...headers,
  })
}

export function json(page: Page) {
  return JSON.parse(page.body) as Record<string, unknown>
}

/** Changes settings for the rest of one test */
export function useSettings(
  cleanup: (handler: () => void) => void,
  overrides: Partial<OidcConfig>
) {
  const saved = Object.fromEntries(
    Object.keys(overrides).map((key) => [key, oidcConfig[key as keyof OidcConfig]])
  )
  Object.assign(oidcConfig, overrides)
  cleanup(() => void Object.assign(oidcConfig, saved))
}
