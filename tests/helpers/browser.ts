/**
 * A minimal browser for functional tests: real HTTP to the test server, a
 * cookie jar, no automatic redirects, and form reading (every input of a form,
 * hidden ones included, as a person's browser would post them).
 */
import env from '#start/env'

export const BASE_URL = `http://${env.get('HOST')}:${env.get('PORT')}`

export type Page = {
  status: number
  headers: Headers
  body: string
  location: string | null
  url: string
}
export type Form = { action: string; method: string; fields: [string, string][] }

export class Browser {
  cookies = new Map<string, string>()

  /** `baseUrl`: the server relative URLs go to (another app process, tests/helpers/app_process.ts) */
  constructor(readonly baseUrl = BASE_URL) {}

  async request(
    method: string,
    url: string,
    body?: URLSearchParams | Record<string, string | string[]>,
    headers: Record<string, string> = {}
  ): Promise<Page> {
    const target = new URL(url, this.baseUrl)
    const form = body instanceof URLSearchParams ? body : body ? toParams(body) : undefined
    const response = await fetch(target, {
      method,
      redirect: 'manual',
      headers: {
        ...(this.cookies.size
          ? { cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ') }
          : {}),
        ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        ...headers,
      },
      body: form?.toString(),
    })
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';')
      const [name, ...value] = pair.split('=')
      const expired = attributes.some(
        (a) => /max-age=0/i.test(a) || /expires=Thu, 01 Jan 1970/i.test(a)
      )
      if (expired) this.cookies.delete(name.trim())
      else this.cookies.set(name.trim(), value.join('='))
    }
    const location = response.headers.get('location')
    return {
      status: response.status,
      headers: response.headers,
      body: await response.text(),
      location: location ? new URL(location, target).href : null,
      url: target.href,
    }
  }

  get(url: string, headers?: Record<string, string>) {
    return this.request('GET', url, undefined, headers)
  }

  post(
    url: string,
    body: URLSearchParams | Record<string, string | string[]>,
    headers?: Record<string, string>
  ) {
    return this.request('POST', url, body, headers)
  }

  /** Follows redirects within this server; stops at the first other origin */
  async follow(page: Page, limit = 10): Promise<Page> {
    let current = page
    while (
      current.location &&
      limit-- > 0 &&
      new URL(current.location).origin === new URL(this.baseUrl).origin
    ) {
      current = await this.get(current.location)
    }
    return current
  }

  /** Signs in through the login page; returns the page after the login POST */
  async signIn(login: string, password: string, next = '/') {
    const page = await this.get(`/accounts/login/?next=${encodeURIComponent(next)}`)
    const form = readForm(page.body, 'form[action="/accounts/login/"]')
    return this.submit(form, { login, password })
  }

  /** Posts a form with its own fields, overridden or extended by `values` */
  submit(form: Form, values: Record<string, string | string[] | null> = {}) {
    const params = new URLSearchParams()
    const names = new Set(Object.keys(values))
    for (const [name, value] of form.fields) if (!names.has(name)) params.append(name, value)
    for (const [name, value] of Object.entries(values)) {
      if (value === null) continue
      for (const entry of Array.isArray(value) ? value : [value]) params.append(name, entry)
    }
    return form.method === 'get'
      ? this.get(`${form.action}?${params}`)
      : this.post(form.action, params)
  }
}

/** Whether the browser's session is signed in, as the home page tells */
export async function isSignedIn(browser: Browser) {
  return (await browser.get('/')).body.includes('Signed in as')
}

function toParams(body: Record<string, string | string[]>) {
  const params = new URLSearchParams()
  for (const [name, value] of Object.entries(body))
    for (const entry of Array.isArray(value) ? value : [value]) params.append(name, entry)
  return params
}

function decode(text: string) {
  return text
    .replace(/&quot;/g, '"')
    .replace(/&#x27;|&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
}

function attribute(tag: string, name: string) {
  const match = new RegExp(`\\s${name}=(?:"([^"]*)"|'([^']*)')`, 'i').exec(tag)
  return match ? decode(match[1] ?? match[2]) : null
}

/**
 * Reads the first form whose opening tag contains `selector`'s attribute
 * (e.g. 'form[action="/accounts/login/"]'), or the first form. Collects inputs
 * that a browser would submit: hidden/text/password values, checked boxes and
 * textareas; selects give their selected (or first) option. Submit buttons are left to
 * the caller (`action`).
 */
export function readForm(html: string, selector?: string): Form {
  const forms = [...html.matchAll(/<form\b[^>]*>[\s\S]*?<\/form>/gi)].map((m) => m[0])
  const wanted = selector ? /\[(\w+)="([^"]*)"\]/.exec(selector) : null
  const form = forms.find(
    (f) => !wanted || attribute(f.slice(0, f.indexOf('>') + 1), wanted[1]) === wanted[2]
  )
  if (!form) throw new Error(`no form ${selector ?? ''} in page:\n${html.slice(0, 2000)}`)
  const open = form.slice(0, form.indexOf('>') + 1)
  const fields: [string, string][] = []
  for (const [tag] of form.matchAll(/<input\b[^>]*>/gi)) {
    const name = attribute(tag, 'name')
    const type = (attribute(tag, 'type') ?? 'text').toLowerCase()
    if (!name || type === 'submit' || type === 'button') continue
    if ((type === 'checkbox' || type === 'radio') && !/\schecked\b/i.test(tag)) continue
    fields.push([name, attribute(tag, 'value') ?? (type === 'checkbox' ? 'on' : '')])
  }
  for (const [, attributes, text] of form.matchAll(/<textarea\b([^>]*)>([\s\S]*?)<\/textarea>/gi)) {
    const name = attribute(attributes, 'name')
    /* as browsers do: one newline right after the tag is not part of the value */
    if (name) fields.push([name, decode(text.replace(/^\r?\n/, ''))])
  }
  for (const [select, name] of form.matchAll(
    /<select\b[^>]*name="([^"]+)"[^>]*>[\s\S]*?<\/select>/gi
  )) {
    const options = [...select.matchAll(/<option\b[^>]*>/gi)].map((o) => o[0])
    const chosen = options.find((o) => /\sselected\b/i.test(o)) ?? options[0]
    if (chosen) fields.push([name, attribute(chosen, 'value') ?? ''])
  }
  return {
    action: attribute(open, 'action') ?? '',
    method: (attribute(open, 'method') ?? 'get').toLowerCase(),
    fields,
  }
}

/** Signs in through the login page as a person does; whether it let them in */
export async function signsIn(login: string, password: string) {
  const browser = new Browser()
  const page = await browser.get('/accounts/login/')
  const answer = await browser.submit(readForm(page.body, 'form[action="/accounts/login/"]'), {
    login,
    password,
  })
  return answer.status === 303
}
