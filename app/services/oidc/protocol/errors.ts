/**
 * The one error type for protocol errors. Every endpoint throws these; the
 * exception handler (app/exceptions/handler.ts) is the one place that decides
 * how the client sees them:
 *  - `json`: an OAuth JSON error body (endpoints.md §0.3), with `state` when sent;
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

export class OAuthError extends Error {
  readonly error: string
  readonly description: string | null
  status: number
  delivery: ErrorDelivery = { kind: 'json' }
  /** Echoed in JSON errors when the request had one (compat) */
  state: string | null = null
  /** Extra response headers, e.g. WWW-Authenticate or Retry-After */
  headers: Record<string, string> = {}

  constructor(error: string, description: string | null = null, status = 400) {
    super(description ?? error)
    this.error = error
    this.description = description
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
      ...(this.description ? { error_description: this.description } : {}),
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

/** settings.md §3: the JSON form of an exceeded rate limit */
export class TooManyRequests extends OAuthError {
  constructor(retryAfterSeconds: number) {
    super('temporarily_unavailable', 'Too many requests.', 429)
    this.withHeader('Retry-After', String(Math.max(1, Math.ceil(retryAfterSeconds))))
  }
}

/** An exception thrown by app-supplied adapter code: the only allowed 500 (adapter.md §1) */
export class ServerError extends OAuthError {
  constructor() {
    super('server_error', null, 500)
  }
}
