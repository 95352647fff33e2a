/**
 * What the consent page shows (docs/endpoints.md#consent-page): the client, one checkbox per requested
 * scope labelled by the adapter and sorted by label, and the email choice when
 * `email` is requested and the user has several verified addresses.
 */
import EmailAddress from '#models/email_address'
import type User from '#models/user'
import type { OidcAdapter } from '#services/oidc/adapter/adapter'
import type { AuthorizationRequest } from '#services/oidc/authorize/request'

export type ScopeChoice = { value: string; label: string; checked: boolean }

/** Verified addresses, primary first then alphabetical; offered only when there are several */
export async function emailChoices(user: User, scopes: string[]): Promise<EmailAddress[]> {
  if (!scopes.includes('email')) return []
  const verified = await EmailAddress.query().where('user_id', user.id).where('verified', true)
  if (verified.length < 2) return []
  return verified.sort(
    (a, b) => Number(b.primary) - Number(a.primary) || a.email.localeCompare(b.email)
  )
}

export function scopeChoices(
  adapter: OidcAdapter,
  scopes: string[],
  checked: string[] = scopes
): ScopeChoice[] {
  const labels = adapter.scopeDisplay
  return scopes
    .map((scope) => ({
      value: scope,
      label: labels[scope] ?? scope,
      checked: checked.includes(scope),
    }))
    .sort((a, b) => a.label.localeCompare(b.label))
}

/** The openid box cannot be unticked when the response returns an ID token */
export function requiresOpenid(request: AuthorizationRequest) {
  return request.responseType.split(' ').includes('id_token')
}

export type ConsentForm = { scopes: string[]; email: string | null; errors: string[] }

/** docs/endpoints.md#consent-form-submission: the ticked scopes and the chosen email, or the errors to show */
export function readConsentForm(
  request: AuthorizationRequest,
  ticked: string[],
  email: string | undefined,
  choices: EmailAddress[]
): ConsentForm {
  const errors: string[] = []
  /* granted scopes keep the request's order, not the page's */
  const scopes = request.scopes.filter((scope) => ticked.includes(scope))
  if (!scopes.length || ticked.some((scope) => !request.scopes.includes(scope)))
    errors.push('Select at least one of the requested permissions.')
  if (requiresOpenid(request) && !scopes.includes('openid'))
    errors.push('The user ID permission is required by this application.')
  const chosen = email ? choices.find((choice) => choice.email === email) : undefined
  if (email && !chosen) errors.push('Choose one of your verified email addresses.')
  /* docs/tokens.md#the-email-shared-with-a-client: kept only when it differs from the primary; null means the current primary */
  return { scopes, email: chosen && !chosen.primary ? chosen.email : null, errors }
}
