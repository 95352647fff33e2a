/**
 * A person's sign-in over plain HTTP, for both providers: authorization
 * request, login page, login form, consent form, redirect with the code, code
 * exchange. The cookie jar ignores `Secure` (our production cookies carry it;
 * to a non-browser client it is just a header) and honours `Path` (the peer
 * scopes its interaction cookies by path).
 */
import http from 'node:http'
import { createHash, randomBytes } from 'node:crypto'

export const REDIRECT_URI = 'https://rp.example/cb'
const MAX_STEPS = 12

export const agent = new http.Agent({ keepAlive: true, maxSockets: 256 })

/** One HTTP exchange; the body is read whole */
export function request(url, { method = 'GET', headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method,
        headers: body ? { ...headers, 'content-length': Buffer.byteLength(body) } : headers,
        agent,
      },
      (res) => {
        const chunks = []
        res.on('data', (chunk) => chunks.push(chunk))
        res.on('end', () =>
          resolve({
            status: res.statusCode,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          })
        )
        res.on('error', reject)
      }
    )
    req.on('error', reject)
    req.setTimeout(30_000, () => req.destroy(new Error(`timeout: ${method} ${url}`)))
    req.end(body)
  })
}

export function basicAuth(id, secret) {
  return `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`
}

class CookieJar {
  #cookies = new Map()

  store(setCookie = []) {
    for (const line of setCookie) {
      const [pair, ...attributes] = line.split(';').map((part) => part.trim())
      const separator = pair.indexOf('=')
      const name = pair.slice(0, separator)
      const pathAttribute = attributes.find((a) => /^path=/i.test(a))
      const path = pathAttribute ? pathAttribute.slice(5) : '/'
      const expired = attributes.some(
        (a) => /^max-age=(0|-)/i.test(a) || /^expires=.*1970/i.test(a)
      )
      const key = `${name};${path}`
      if (expired) this.#cookies.delete(key)
      else this.#cookies.set(key, { name, path, value: pair.slice(separator + 1) })
    }
  }

  /** Longer paths first, as browsers send them */
  header(pathname) {
    return [...this.#cookies.values()]
      .filter(
        (c) =>
          pathname === c.path || pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`)
      )
      .sort((a, b) => b.path.length - a.path.length)
      .map((c) => `${c.name}=${c.value}`)
      .join('; ')
  }
}

function decode(text) {
  return text
    .replace(/&quot;/g, '"')
    .replace(/&#x27;|&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
}

function attribute(tag, name) {
  const match = new RegExp(`\\s${name}=(?:"([^"]*)"|'([^']*)')`, 'i').exec(tag)
  return match ? decode(match[1] ?? match[2]) : null
}

/** The first form of a page with what a browser would post: hidden and text values, checked boxes, selected options */
function readForm(html) {
  const form = /<form\b[^>]*>[\s\S]*?<\/form>/i.exec(html)?.[0]
  if (!form) throw new Error(`no form in page: ${html.slice(0, 300)}`)
  const open = form.slice(0, form.indexOf('>') + 1)
  const fields = []
  for (const [tag] of form.matchAll(/<input\b[^>]*>/gi)) {
    const name = attribute(tag, 'name')
    const type = (attribute(tag, 'type') ?? 'text').toLowerCase()
    if (!name || ((type === 'checkbox' || type === 'radio') && !/\schecked\b/i.test(tag))) continue
    fields.push([name, attribute(tag, 'value') ?? ''])
  }
  for (const [select, name] of form.matchAll(
    /<select\b[^>]*name="([^"]+)"[^>]*>[\s\S]*?<\/select>/gi
  )) {
    const options = [...select.matchAll(/<option\b[^>]*>/gi)].map((o) => o[0])
    const chosen = options.find((o) => /\sselected\b/i.test(o)) ?? options[0]
    if (chosen) fields.push([name, attribute(chosen, 'value') ?? ''])
  }
  const approves = /<button\b[^>]*name="action"[^>]*value="grant"/i.test(form)
  return {
    action: attribute(open, 'action') ?? '',
    method: (attribute(open, 'method') ?? 'get').toLowerCase(),
    fields,
    approves,
  }
}

/** A browser session against one provider: a fresh cookie jar, no automatic redirects */
class Browser {
  jar = new CookieJar()

  constructor(origin, onRequest) {
    this.origin = origin
    this.onRequest = onRequest
  }

  async go(method, target, form) {
    const url = new URL(target, this.origin)
    const headers = { cookie: this.jar.header(url.pathname) }
    if (form) headers['content-type'] = 'application/x-www-form-urlencoded'
    this.onRequest?.(`${method} ${url.pathname}`)
    const response = await request(url, { method, headers, body: form?.toString() })
    this.jar.store(response.headers['set-cookie'])
    const location = response.headers.location
    return { ...response, url: url.href, location: location ? new URL(location, url).href : null }
  }
}

/**
 * Signs `person` in at `target` (its discovery endpoints, client and user) and
 * exchanges the code. Returns the token response. `onRequest` is told each
 * request before it is sent (the query-count run marks its log with it).
 */
export async function signIn(target, { onRequest } = {}) {
  const browser = new Browser(target.origin, onRequest)
  const verifier = randomBytes(32).toString('base64url')
  const state = randomBytes(16).toString('base64url')
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: target.clientId,
    redirect_uri: REDIRECT_URI,
    scope: 'openid profile email',
    state,
    nonce: randomBytes(16).toString('base64url'),
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  })
  let page = await browser.go('GET', `${target.authorizationEndpoint}?${query}`)
  for (let step = 0; step < MAX_STEPS && !page.location?.startsWith(REDIRECT_URI); step++) {
    if (page.location) {
      page = await browser.go('GET', page.location)
      continue
    }
    if (page.status !== 200)
      throw new Error(`sign-in: HTTP ${page.status} at ${page.url}: ${page.body.slice(0, 300)}`)
    const form = readForm(page.body)
    const params = new URLSearchParams(
      form.fields.filter(([name]) => name !== 'login' && name !== 'password')
    )
    if (form.fields.some(([name]) => name === 'password')) {
      params.set('login', target.user.email)
      params.set('password', target.user.password)
    }
    if (form.approves) params.set('action', 'grant')
    page =
      form.method === 'post'
        ? await browser.go('POST', form.action, params)
        : await browser.go('GET', `${form.action}?${params}`)
  }
  const redirect = new URL(page.location ?? 'about:blank')
  const code = redirect.searchParams.get('code')
  if (!code || redirect.searchParams.get('state') !== state)
    throw new Error(`sign-in ended without a code: ${page.status} ${page.url} ${page.location}`)

  onRequest?.(`POST ${new URL(target.tokenEndpoint).pathname} (authorization_code)`)
  const response = await request(target.tokenEndpoint, {
    method: 'POST',
    headers: {
      'authorization': basicAuth(target.clientId, target.clientSecret),
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT_URI,
      code_verifier: verifier,
    }).toString(),
  })
  const tokens = response.status === 200 ? JSON.parse(response.body) : null
  if (!tokens?.id_token || !tokens.access_token)
    throw new Error(`code exchange: HTTP ${response.status} ${response.body.slice(0, 300)}`)
  return tokens
}
