/**
 * What the consent page shows (docs/endpoints.md#consent-page): the client, one checkbox per requested
 * scope labelled by the adapter and sorted by label, and the email choice when
 * `email` is requested and the user has several verified addresses.
 */
import EmailAddress from '#models/email_address'
import type User from '#models/user'
import { DefaultOidcAdapter, type OidcAdapter } from '#services/oidc/adapter/adapter'
import type { AuthorizationRequest } from '#services/oidc/authorize/request'
import { message, type Message } from '#services/i18n/message'

/**
 * How a scope is worded for the person: `key` translates the built-in wording
 * (resources/lang/<locale>/scopes.json); `label` is the adapter's words, shown
 * as they are when the adapter words a scope its own way.
 */
export type ScopeChoice = { value: string; label: string; key: string | null; checked: boolean }

/** The translations of DefaultOidcAdapter's scopeDisplay */
const WORDING_KEYS: Record<string, string> = {
  openid: 'scopes.openid',
  email: 'scopes.email',
  profile: 'scopes.profile',
  phone: 'scopes.phone',
  address: 'scopes.address',
}
const BUILT_IN_WORDING = new DefaultOidcAdapter(null).scopeDisplay

function wordingKey(scope: string, label: string) {
  return BUILT_IN_WORDING[scope] === label ? (WORDING_KEYS[scope] ?? null) : null
}

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
    .map((scope) => {
      const label = labels[scope] ?? scope
      return {
        value: scope,
        label,
        key: wordingKey(scope, label),
        checked: checked.includes(scope),
      }
    })
    .sort((a, b) => a.label.localeCompare(b.label))
}

/** The openid box cannot be unticked when the response returns an ID token */
export function requiresOpenid(request: AuthorizationRequest) {
  return request.responseType.split(' ').includes('id_token')
}

export type ConsentForm = { scopes: string[]; email: string | null; errors: Message[] }

/** docs/endpoints.md#consent-form-submission: the ticked scopes and the chosen email, or the errors to show */
export function readConsentForm(
  request: AuthorizationRequest,
  ticked: string[],
  email: string | undefined,
  choices: EmailAddress[]
): ConsentForm {
  const errors: Message[] = []
  /* granted scopes keep the request's order, not the page's */
  const scopes = request.scopes.filter((scope) => ticked.includes(scope))
  if (!scopes.length || ticked.some((scope) => !request.scopes.includes(scope)))
    errors.push(message('oidc.consent.errors.no_scope'))
  if (requiresOpenid(request) && !scopes.includes('openid'))
    errors.push(message('oidc.consent.errors.openid_required'))
  const chosen = email ? choices.find((choice) => choice.email === email) : undefined
  if (email && !chosen) errors.push(message('oidc.consent.errors.choose_email'))
  /* docs/tokens.md#the-email-shared-with-a-client: kept only when it differs from the primary; null means the current primary */
  return { scopes, email: chosen && !chosen.primary ? chosen.email : null, errors }
}
