/**
 * The protocol's fixed words, each written once: what discovery advertises,
 * registration accepts and the endpoints check.
 */
import type { ResponseMode } from '#services/oidc/protocol/errors'

/** RFC 8628 §3.4 */
export const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code'

/** The 7 response types (OIDC Core §3, OAuth 2.0 Multiple Response Types), each with its words sorted as stored */
export const RESPONSE_TYPES = [
  'code',
  'code id_token',
  'code id_token token',
  'code token',
  'id_token',
  'id_token token',
  'token',
]

export const RESPONSE_MODES: ResponseMode[] = ['query', 'fragment', 'form_post']

/** The standard OIDC scopes (OIDC Core §5.4) */
export const STANDARD_SCOPES = ['openid', 'profile', 'email', 'phone', 'address']

export const PROMPT_VALUES = ['none', 'login', 'consent']
