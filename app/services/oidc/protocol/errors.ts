/**
 * The one error type for protocol errors. Every endpoint throws these; the
 * exception handler (app/exceptions/handler.ts) is the one place that decides
 * how the client sees them:
 *  - `json`: an OAuth JSON error body (docs/endpoints.md#json-responses-and-errors), with `state` when sent;
 *  - `redirect`: back to a redirect URI that has already matched, in the
 *    response mode, with `state` and `iss` (RFC 9207);
 *  - `page`: the HTML error page (never a redirect).
 */
export type ResponseMode = 'query' | 'fragment' | 'form_post'

export type ErrorDelivery =
  | { kind: 'json' }
  | { kind: 'page' }
  | {
      kind: 'redirect'
      redirectUri: string
      responseMode: ResponseMode
      state: string | null
      answersPost: boolean
    }

/**
 * The description an error gets when its thrower gives none, so that every
 * error a client sees explains itself (RFC 6749 §5.2 and §4.1.2.1, RFC 6750
 * docs/endpoints.md#authorization-request-checks, RFC 8628 §3.5, OIDC Core §3.1.2.6).
 */
const DEFAULT_DESCRIPTIONS: Record<string, string> = {
  invalid_request: 'The request is missing a parameter, repeats one, or is otherwise malformed.',
  invalid_client: 'Client authentication failed.',
  invalid_grant:
    'The grant or refresh token is invalid, expired, revoked, or was issued to another client or redirect URI.',
  invalid_scope: 'The requested scope is invalid, unknown, or more than the client may have.',
  unauthorized_client: 'The client is not allowed to use this grant type or response type.',
  unsupported_grant_type: 'The grant type is not supported.',
  unsupported_response_type: 'The response type is not supported.',
  access_denied: 'The request was denied.',
  login_required: 'The user is not signed in and prompt=none forbids asking.',
  consent_required: 'The user has not consented and prompt=none forbids asking.',
  insufficient_scope: 'The access token does not grant the scope this request needs.',
  authorization_pending: 'The user has not yet approved or denied the device.',
  slow_down: 'Polling too often: wait longer between requests.',
  expired_token: 'The device code has expired.',
  request_not_supported: 'The request parameter is not supported.',
  request_uri_not_supported: 'The request_uri parameter is not supported.',
  server_error: 'The server could not complete the request.',
}

/** What an error without a description of its own says */
export function defaultErrorDescription(error: string): string {
  return DEFAULT_DESCRIPTIONS[error] ?? 'The request failed.'
}

export class OAuthError extends Error {
  readonly error: string
  readonly description: string
  status: number
  delivery: ErrorDelivery = { kind: 'json' }
  /** Echoed in JSON errors when the request had one (compat) */
  state: string | null = null
  /** Extra response headers, e.g. WWW-Authenticate or Retry-After */
  headers: Record<string, string> = {}

  constructor(error: string, description: string | null = null, status = 400) {
    const explained = description ?? defaultErrorDescription(error)
    super(explained)
    this.error = error
    this.description = explained
    this.status = status
  }

  /** Show this error as the HTML error page instead of JSON */
  asPage() {
    this.delivery = { kind: 'page' }
    return this
  }

  /** Send this error back to a matched redirect URI */
  redirectTo(target: Omit<Extract<ErrorDelivery, { kind: 'redirect' }>, 'kind'>) {
    this.delivery = { kind: 'redirect', ...target }
    return this
  }

  withState(state: string | null | undefined) {
    this.state = state || null
    return this
  }

  withHeader(name: string, value: string) {
    this.headers[name] = value
    return this
  }

  toJSON() {
    return {
      error: this.error,
      error_description: this.description,
      ...(this.state ? { state: this.state } : {}),
    }
  }
}

export class InvalidRequest extends OAuthError {
  constructor(description: string | null = null) {
    super('invalid_request', description)
  }
}

export class InvalidClient extends OAuthError {
  constructor(description: string | null = null) {
    super('invalid_client', description, 401)
  }
}

export class InvalidGrant extends OAuthError {
  constructor(description: string | null = null) {
    super('invalid_grant', description)
  }
}

export class InvalidScope extends OAuthError {
  constructor(description: string | null = null) {
    super('invalid_scope', description)
  }
}

export class UnauthorizedClient extends OAuthError {
  constructor(description: string | null = null) {
    super('unauthorized_client', description)
  }
}

export class UnsupportedGrantType extends OAuthError {
  constructor(description: string | null = null) {
    super('unsupported_grant_type', description)
  }
}

export class UnsupportedResponseType extends OAuthError {
  constructor(description: string | null = null) {
    super('unsupported_response_type', description)
  }
}

export class AccessDenied extends OAuthError {
  constructor(description: string | null = null) {
    super('access_denied', description)
  }
}

export class LoginRequired extends OAuthError {
  constructor(description: string | null = null) {
    super('login_required', description)
  }
}

export class ConsentRequired extends OAuthError {
  constructor(description: string | null = null) {
    super('consent_required', description)
  }
}

/** OIDC Core §3.1.2.6: the end-user must interact (prompt=none could not be honoured) */
export class InteractionRequired extends OAuthError {
  constructor(description: string | null = null) {
    super('interaction_required', description)
  }
}

/**
 * The client asked for an authentication the user cannot give (a second
 * factor they do not have).
 * @see https://openid.net/specs/openid-connect-unmet-authentication-requirements-1_0.html
 */
export class UnmetAuthenticationRequirements extends OAuthError {
  constructor(description: string | null = 'The user has no second factor to sign in with.') {
    super('unmet_authentication_requirements', description)
  }
}

/** RFC 6750 §3.1 */
export const INVALID_TOKEN_DESCRIPTION =
  'The access token provided is expired, revoked, malformed, or invalid for other reasons.'

export class InvalidToken extends OAuthError {
  constructor() {
    super('invalid_token', INVALID_TOKEN_DESCRIPTION, 401)
    this.withHeader(
      'WWW-Authenticate',
      `Bearer error="invalid_token", error_description="${INVALID_TOKEN_DESCRIPTION}"`
    )
  }
}

export class InsufficientScope extends OAuthError {
  constructor(scope: string) {
    super('insufficient_scope', null, 403)
    this.withHeader('WWW-Authenticate', `Bearer error="insufficient_scope", scope="${scope}"`)
  }
}

/** No such page, or one this visitor may not know of (the admin console) */
export class NotFound extends OAuthError {
  constructor() {
    super('not_found', 'The page you are looking for does not exist.', 404)
  }
}

/** docs/settings.md#rate-limits: the JSON form of an exceeded rate limit */
export class TooManyRequests extends OAuthError {
  constructor(retryAfterSeconds: number) {
    super('temporarily_unavailable', 'Too many requests.', 429)
    this.withHeader('Retry-After', String(Math.max(1, Math.ceil(retryAfterSeconds))))
  }
}

/** An exception thrown by app-supplied adapter code: the only allowed 500 (docs/adapter.md#methods) */
export class ServerError extends OAuthError {
  constructor() {
    super('server_error', null, 500)
  }
}
