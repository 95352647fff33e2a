import type { OAuthError } from '#services/oidc/protocol/errors'

/** Errors only a relying party's request causes: the person can only go back to it */
const APPLICATION_ERRORS = new Set([
  'invalid_client',
  'unauthorized_client',
  'unsupported_response_type',
  'invalid_scope',
  'request_not_supported',
  'request_uri_not_supported',
  'registration_not_supported',
])

/**
 * What an error page leads with: a heading and a sentence for the person
 * (translation keys, resources/lang/<locale>/oidc/error.json); the OAuth code
 * and description follow, for whoever runs the site or the application.
 */
export function errorPageWords(error: OAuthError) {
  const heading = error.status === 404 ? 'oidc.error.not_found_heading' : 'oidc.error.heading'
  if (error.status === 404) return { heading, sentence: 'oidc.error.not_found' }
  if (error.status === 405) return { heading, sentence: 'oidc.error.not_allowed' }
  if (error.status === 429) return { heading, sentence: 'accounts.too_many_requests.text' }
  if (error.status >= 500) return { heading, sentence: 'oidc.error.server' }
  if (error.error === 'forbidden') return { heading, sentence: 'oidc.error.form_expired' }
  if (APPLICATION_ERRORS.has(error.error)) return { heading, sentence: 'oidc.error.application' }
  return { heading, sentence: 'oidc.error.generic' }
}
