const SAME_SITE = 'http://same.invalid'

/** Relative, protocol-relative (also with an encoded slash or backslash, in case a proxy decodes it), or holding a backslash or control character */
const notAPath = (value: string) =>
  // eslint-disable-next-line no-control-regex -- control characters are what this refuses
  !value.startsWith('/') || /^\/(\/|%2f|%5c)/i.test(value) || /[\u0000-\u001f\\]/.test(value)

/**
 * `next` must be a same-site path: `/x`, never `//x`, `/\x` or anything that
 * a browser would resolve to another origin (docs/security.md#other-protections). The resolved
 * path is checked again, since dot segments (`/.//x`, `/%2e%2e//x`) resolve
 * to `//x`.
 */
export function safeNextPath(next: unknown): string {
  if (typeof next !== 'string' || notAPath(next) || !URL.canParse(next, SAME_SITE)) return '/'
  const url = new URL(next, SAME_SITE)
  const path = url.pathname + url.search + url.hash
  return url.origin === SAME_SITE && !notAPath(path) ? path : '/'
}
