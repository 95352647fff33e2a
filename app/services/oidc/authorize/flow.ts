/**
 * The authorization endpoint's flow (§3.1 B and D, §3.3): the login gate, the
 * prompt=none rules, the decision to issue at once or ask, and the consent
 * form's submission.
 */
import type { HttpContext } from '@adonisjs/core/http'
import {
  AccessDenied,
  ConsentRequired,
  InvalidRequest,
  LoginRequired,
  OAuthError,
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
import {
  consentCovers,
  findConsent,
  rememberConsent,
} from '#services/oidc/authorize/remembered_consent'
import { signConsentRequest, verifyConsentRequest } from '#services/oidc/authorize/consent_request'
import { emailChoices, readConsentForm, scopeChoices } from '#services/oidc/authorize/consent_page'
import { issueAuthorizationResponse } from '#services/oidc/authorize/issue'
import { currentProviderSession, type ProviderSession } from '#services/accounts/provider_session'
import { loginGate } from '#services/accounts/login_gate'
import { PATHS } from '#services/oidc/protocol/paths'

export function readParams(text: string): RawParams {
  try {
    return decodeParams(text)
  } catch (error) {
    if (error instanceof ParameterDecodeError)
      throw new InvalidRequest('The request parameters are not valid URL encoding.').asPage()
    throw error
  }
}

/** §3.1 step 5: a session older than max_age (max_age=0 always is) */
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

/** GET /identity/o/authorize */
export async function authorize(ctx: HttpContext, query: string) {
  const raw = readParams(query)
  const target = await checkFatal(raw)
  const session = await currentProviderSession(ctx)
  const prompt = parsePrompt(target.params.prompt)
  const maxAge = parseMaxAge(target.params.max_age)

  if (!prompt.has('none')) {
    if (!session) return loginGate(ctx, `${PATHS.authorize}?${query}`, target.params.login_hint)
    if (prompt.has('login') || sessionTooOld(session, maxAge)) {
      return loginGate(ctx, nextWithoutReauthentication(query), target.params.login_hint)
    }
  }

  const request = await checkRedirectable(
    raw,
    target,
    ctx.oidcAdapter,
    session?.user ?? null,
    false
  )
  const redirectError = (error: OAuthError) =>
    error.redirectTo({
      redirectUri: request.redirectUri,
      responseMode: request.responseMode,
      state: request.state,
      answersPost: false,
    })
  if (prompt.has('none') && (!session || sessionTooOld(session, maxAge)))
    throw redirectError(new LoginRequired())

  const consent = await findConsent(session!.user.id, request.client.id)
  const covered = request.client.skipConsent || consentCovers(consent, request.scopes)
  if (prompt.has('none') && !covered) throw redirectError(new ConsentRequired())
  if (!prompt.has('consent') && covered) {
    return issueAuthorizationResponse(ctx, request, {
      ...grantBase(session!),
      scopes: request.scopes,
      email: consent?.email ?? null,
      answersPost: false,
    })
  }
  return renderConsent(ctx, request, session!, request.scopes, null, [])
}

function grantBase(session: ProviderSession) {
  return { user: session.user, authTime: session.authTime, sid: session.sid }
}

async function renderConsent(
  ctx: HttpContext,
  request: AuthorizationRequest,
  session: ProviderSession,
  checked: string[],
  email: string | null,
  errors: string[]
) {
  const emails = await emailChoices(session.user, request.scopes)
  return ctx.view.render('oidc/consent', {
    clientName: request.client.name,
    request: signConsentRequest(request.params, session.user.id),
    scopes: scopeChoices(ctx.oidcAdapter, request.scopes, checked),
    emails,
    selectedEmail: email,
    errors,
  })
}

/** POST /identity/o/authorize with the consent form (§3.3 steps 3-6; CSRF is checked by then) */
export async function submitConsent(ctx: HttpContext, form: RawParams) {
  const session = await currentProviderSession(ctx)
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
  const raw: RawParams = new Map(
    Object.entries(check.params).map(([name, value]) => [name, [value]])
  )
  const target = await checkFatal(raw)
  if (form.get('action')?.[0] !== 'grant') {
    const responseType = normaliseResponseType(target.params.response_type)
    const request = await checkRedirectable(
      raw,
      target,
      ctx.oidcAdapter,
      session!.user,
      true
    ).catch(() => null)
    throw new AccessDenied().redirectTo({
      redirectUri: target.redirectUri,
      responseMode:
        request?.responseMode ?? (responseType === 'code' || !responseType ? 'query' : 'fragment'),
      state: target.params.state ?? null,
      answersPost: true,
    })
  }
  const request = await checkRedirectable(raw, target, ctx.oidcAdapter, session!.user, true)
  const choices = await emailChoices(session!.user, request.scopes)
  const consentForm = readConsentForm(
    request,
    form.get('scopes') ?? [],
    form.get('email')?.[0],
    choices
  )
  if (consentForm.errors.length) {
    return renderConsent(
      ctx,
      request,
      session!,
      consentForm.scopes,
      form.get('email')?.[0] ?? null,
      consentForm.errors
    )
  }
  await rememberConsent(session!.user.id, request.client.id, consentForm.scopes, consentForm.email)
  return issueAuthorizationResponse(ctx, request, {
    ...grantBase(session!),
    scopes: consentForm.scopes,
    email: consentForm.email,
    answersPost: true,
  })
}
