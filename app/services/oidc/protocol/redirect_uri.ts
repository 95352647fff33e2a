/**
 * URI matching (docs/endpoints.md#uri-matching). Redirect URIs match when their WHATWG
 * serialisations are equal (RFC 9700 §4.1.3: exact, query included, no
 * fragment), with two exceptions kept from allauth: any port on a registered
 * http loopback IP, and an opt-in `*` in the registered host.
 */
import type OidcClient from '#models/oidc_client'

const LOOPBACK_IPS = new Set(['127.0.0.1', '[::1]'])
const HTTP_ORIGIN_HOSTS = /^(localhost|.+\.localhost|127\.0\.0\.1|\[::1\])$/

/** The hosts a CORS origin may name with plain `http` (docs/endpoints.md#uri-matching) */
export function isHttpOriginHost(hostname: string) {
  return HTTP_ORIGIN_HOSTS.test(hostname)
}
const AUTHORITY = /^([a-z][a-z0-9+.-]*:\/\/(?:[^@/?#]*@)?)(\[[^\]]*\]|[^:/?#]*)/i

function parse(uri: string): URL | null {
  return URL.canParse(uri) ? new URL(uri) : null
}

/**
 * A registered URI, parsed. WHATWG parsing would percent-encode a `*` host, so
 * a wildcard host is kept aside as a pattern: `*` stands for one or more
 * non-dot characters (`https://*.example.com` never matches `a.b.example.com`).
 */
function parseRegistered(
  uri: string,
  allowWildcards: boolean
): { url: URL; hostPattern: RegExp | null } | null {
  const authority = AUTHORITY.exec(uri)
  const host = authority?.[2] ?? ''
  if (!allowWildcards || !host.includes('*')) {
    const url = parse(uri)
    return url && { url, hostPattern: null }
  }
  const url = parse(uri.replace(AUTHORITY, `$1wildcard.invalid`))
  const escaped = host
    .toLowerCase()
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
  return url && { url, hostPattern: new RegExp(`^${escaped.join('[^.]+')}$`) }
}

function uriMatches(registered: string, requested: URL, allowWildcards: boolean): boolean {
  const parsed = parseRegistered(registered, allowWildcards)
  if (!parsed) return false
  const candidate = parsed.url
  if (parsed.hostPattern) {
    if (!parsed.hostPattern.test(requested.hostname)) return false
    candidate.hostname = requested.hostname
  }
  const loopback = candidate.protocol === 'http:' && LOOPBACK_IPS.has(candidate.hostname)
  if (loopback && requested.protocol === 'http:' && requested.hostname === candidate.hostname)
    candidate.port = requested.port
  return candidate.href === requested.href
}

function parseRequested(uri: string): URL | null {
  return uri.includes('#') ? null : parse(uri)
}

/** Whether `requested` is one of the client's redirect URIs */
export function matchRedirectUri(client: OidcClient, requested: string): boolean {
  const url = parseRequested(requested)
  return (
    !!url &&
    client.redirectUris.some((registered) => uriMatches(registered, url, client.allowUriWildcards))
  )
}

/** Post-logout URIs: the registered list, or, when it is empty, an origin of a redirect URI */
export function matchPostLogoutRedirectUri(client: OidcClient, requested: string): boolean {
  if (client.postLogoutRedirectUris.length) {
    const url = parseRequested(requested)
    return (
      !!url &&
      client.postLogoutRedirectUris.some((registered) =>
        uriMatches(registered, url, client.allowUriWildcards)
      )
    )
  }
  /* only the origin is compared here, so a fragment may come along; the redirect keeps it (docs/endpoints.md#rp-initiated-logout) */
  const url = parse(requested)
  return (
    !!url &&
    !url.username &&
    !url.password &&
    client.redirectUris.some((registered) =>
      originMatches(registered, url.origin, client.allowUriWildcards)
    )
  )
}

/**
 * CORS origins: scheme, host (or wildcard host) and port equal; the
 * registered path is ignored; an origin with userinfo never matches.
 */
export function originMatches(
  registered: string,
  origin: string,
  allowWildcards: boolean
): boolean {
  const requested = parse(origin)
  const parsed = parseRegistered(registered, allowWildcards)
  if (!requested || !parsed || requested.username || requested.password) return false
  const candidate = parsed.url
  if (candidate.protocol !== requested.protocol || candidate.port !== requested.port) return false
  return parsed.hostPattern
    ? parsed.hostPattern.test(requested.hostname)
    : candidate.hostname === requested.hostname
}

/** `http` origins are allowed only for local hosts (docs/endpoints.md#uri-matching) */
export function isAllowedOriginScheme(origin: string) {
  const url = parse(origin)
  return (
    !!url &&
    (url.protocol === 'https:' || (url.protocol === 'http:' && isHttpOriginHost(url.hostname)))
  )
}
