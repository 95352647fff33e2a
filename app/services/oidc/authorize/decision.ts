/**
 * The authorization endpoint's decisions (docs/endpoints.md#authorization-request-checks, docs/endpoints.md#consent-form-submission): send the
 * person to log in, ask for consent, or answer the client. Each is returned
 * as a value for the controller to render; protocol errors are thrown as
 * OAuthError with their delivery.
 */
import {
  AccessDenied,
  ConsentRequired,
  InteractionRequired,
  InvalidRequest,
  LoginRequired,
  OAuthError,
  UnmetAuthenticationRequirements,
} from '#services/oidc/protocol/errors'
import {
  decodeParams,
  ParameterDecodeError,
  type RawParams,
} from '#services/oidc/protocol/parameters'
import {
  checkFatal,
  checkRedirectable,
  parseMaxAge,
  parsePrompt,
  normaliseResponseType,
  type AuthorizationRequest,
} from '#services/oidc/authorize/request'
import { consentCovers, findConsent, rememberConsent } from '#services/oidc/authorize/consent_store'
import {
  signConsentRequest,
  spendConsentRequest,
  verifyConsentRequest,
} from '#services/oidc/authorize/consent_request'
import {
  emailChoices,
  readConsentForm,
  scopeChoices,
  type ScopeChoice,
} from '#services/oidc/authorize/consent_page'
import { issueAuthorizationResponse } from '#services/oidc/authorize/issue'
import type { AuthorizationResponse } from '#services/oidc/authorize/response'
import type { OidcAdapter } from '#services/oidc/adapter/adapter'
import type { ProviderSession } from '#http/provider_session'
import { recordEvent } from '#services/audit/record_event'
import { PATHS } from '#services/oidc/protocol/paths'
import { hasSecondFactor } from '#services/mfa/authenticator_store'
import { acrValuesRequireMfa } from '#services/mfa/assurance'
import type { Message } from '#services/i18n/message'

/** Who asks: the request's adapter and the browser's provider session, if any */
export type Requester = { adapter: OidcAdapter; session: ProviderSession | null; ip: string }

/** What the consent page shows */
export type ConsentPage = {
  clientName: string
  /** The signed pending request the form posts back */
  request: string
  scopes: ScopeChoice[]
  emails: { email: string }[]
  selectedEmail: string | null
  errors: Message[]
}

export type AuthorizeOutcome =
  | { kind: 'login'; next: string; loginHint: string | null }
  /* the signed-in user gives their second factor, then comes back to `next` */
  | { kind: 'second_factor'; next: string }
  | { kind: 'consent'; page: ConsentPage }
  | { kind: 'respond'; response: AuthorizationResponse }

export function readParams(text: string): RawParams {
  try {
    return decodeParams(text)
  } catch (error) {
    if (error instanceof ParameterDecodeError)
      throw new InvalidRequest('The request parameters are not valid URL encoding.').asPage()
    throw error
  }
}

/** docs/endpoints.md#authorization-request-checks: a session older than max_age (max_age=0 always is) */
function sessionTooOld(session: ProviderSession, maxAge: number | undefined) {
  if (maxAge === undefined || Number.isNaN(maxAge)) return false
  return maxAge === 0 || Math.floor(Date.now() / 1000) - session.authTime > maxAge
}

/** `next` after a forced login: without `login` in prompt and without max_age, so it cannot loop */
function nextWithoutReauthentication(query: string) {
  const params = new URLSearchParams(query)
  const prompt = parsePrompt(params.get('prompt') ?? undefined)
  prompt.delete('login')
  if (prompt.size) params.set('prompt', [...prompt].join(' '))
  else params.delete('prompt')
  params.delete('max_age')
  return `${PATHS.authorize}?${params}`
}

/** GET /identity/o/authorize with its query string */
export async function decideAuthorization(
  { adapter, session, ip }: Requester,
  query: string
): Promise<AuthorizeOutcome> {
  const raw = readParams(query)
  const target = await checkFatal(raw)
  const prompt = parsePrompt(target.params.prompt)
  const maxAge = parseMaxAge(target.params.max_age)
  const loginHint = target.params.login_hint ?? null

  if (!prompt.has('none')) {
    if (!session) return { kind: 'login', next: `${PATHS.authorize}?${query}`, loginHint }
    if (prompt.has('login') || sessionTooOld(session, maxAge)) {
      return { kind: 'login', next: nextWithoutReauthentication(query), loginHint }
    }
  }

  const request = await checkRedirectable(raw, target, adapter, session?.user ?? null, false)
  const redirectError = (error: OAuthError) =>
    error.redirectTo({
      redirectUri: request.redirectUri,
      responseMode: request.responseMode,
      state: request.state,
      answersPost: false,
    })
  if (prompt.has('none') && (!session || sessionTooOld(session, maxAge)))
    throw redirectError(new LoginRequired())
  const signedIn = session!

  /* docs/mfa.md: a second factor when the client asks for one, or whenever the user has one */
  if (!signedIn.amr.includes('mfa')) {
    const wanted = request.client.requireMfa || acrValuesRequireMfa(target.params.acr_values)
    const available = await hasSecondFactor(signedIn.user.id)
    if (wanted && !available) throw redirectError(new UnmetAuthenticationRequirements())
    if (available) {
      if (prompt.has('none')) throw redirectError(new InteractionRequired())
      return { kind: 'second_factor', next: `${PATHS.authorize}?${query}` }
    }
  }

  const consent = await findConsent(signedIn.user.id, request.client.id)
  const covered = request.client.skipConsent || consentCovers(consent, request.scopes)
  if (prompt.has('none') && !covered) throw redirectError(new ConsentRequired())
  if (!prompt.has('consent') && covered) {
    return respond(adapter, request, signedIn, ip, request.scopes, consent?.email ?? null, false)
  }
  return askConsent(adapter, request, signedIn, request.scopes, null, [])
}

async function respond(
  adapter: OidcAdapter,
  request: AuthorizationRequest,
  session: ProviderSession,
  ip: string,
  scopes: string[],
  email: string | null,
  answersPost: boolean
): Promise<AuthorizeOutcome> {
  const { user, authTime, amr, sid } = session
  const grant = { user, authTime, amr, sid, scopes, email, answersPost, ip }
  return { kind: 'respond', response: await issueAuthorizationResponse(adapter, request, grant) }
}

async function askConsent(
  adapter: OidcAdapter,
  request: AuthorizationRequest,
  session: ProviderSession,
  checked: string[],
  email: string | null,
  errors: Message[]
): Promise<AuthorizeOutcome> {
  const page: ConsentPage = {
    clientName: request.client.name,
    request: signConsentRequest(request.params, session.user.id),
    scopes: scopeChoices(adapter, request.scopes, checked),
    emails: await emailChoices(session.user, request.scopes),
    selectedEmail: email,
    errors,
  }
  return { kind: 'consent', page }
}

/** POST /identity/o/authorize with the consent form (docs/endpoints.md#consent-form-submission; CSRF is checked by then) */
export async function decideConsent(
  { adapter, session, ip }: Requester,
  form: RawParams
): Promise<AuthorizeOutcome> {
  const check = session
    ? verifyConsentRequest(form.get('request')?.[0] ?? '', session.user.id)
    : ({ ok: false, reason: 'tampered' } as const)
  if (!check.ok) {
    if (check.reason === 'expired')
      throw new InvalidRequest('The authorization request has expired.').asPage()
    throw new OAuthError(
      'forbidden',
      'The authorization request is not valid for this session.',
      403
    ).asPage()
  }
  const signedIn = session!
  /* a grant or a denial answers the form once; a form shown again with errors is not answered yet */
  const answer = async () => {
    if (!(await spendConsentRequest(check.id, check.issuedAt)))
      throw new InvalidRequest('The authorization request has already been answered.').asPage()
  }
  const raw: RawParams = new Map(
    Object.entries(check.params).map(([name, value]) => [name, [value]])
  )
  const target = await checkFatal(raw)
  if (form.get('action')?.[0] !== 'grant') {
    const responseType = normaliseResponseType(target.params.response_type)
    const request = await checkRedirectable(raw, target, adapter, signedIn.user, true).catch(
      () => null
    )
    await answer()
    throw new AccessDenied().redirectTo({
      redirectUri: target.redirectUri,
      responseMode:
        request?.responseMode ?? (responseType === 'code' || !responseType ? 'query' : 'fragment'),
      state: target.params.state ?? null,
      answersPost: true,
    })
  }
  const request = await checkRedirectable(raw, target, adapter, signedIn.user, true)
  const choices = await emailChoices(signedIn.user, request.scopes)
  const email = form.get('email')?.[0]
  const consentForm = readConsentForm(request, form.get('scopes') ?? [], email, choices)
  if (consentForm.errors.length) {
    return askConsent(
      adapter,
      request,
      signedIn,
      consentForm.scopes,
      email ?? null,
      consentForm.errors
    )
  }
  await answer()
  await rememberConsent(signedIn.user.id, request.client.id, consentForm.scopes, consentForm.email)
  await recordEvent('consent.given', {
    userId: signedIn.user.id,
    clientId: request.client.id,
    ip,
    data: { scopes: consentForm.scopes },
  })
  return respond(adapter, request, signedIn, ip, consentForm.scopes, consentForm.email, true)
}
