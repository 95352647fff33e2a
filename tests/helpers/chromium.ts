/**
 * Pages a person sees are tested in Debian's Chromium (`apt-get install
 * chromium`), driven by playwright-core; Playwright's own browser downloads
 * are not used. One Chromium serves the whole 'browser' suite (started and
 * stopped by tests/bootstrap.ts); each test gets a fresh context, so no
 * cookies or cache carry over.
 */
import { mkdir } from 'node:fs/promises'
import { chromium, type Browser, type Page } from 'playwright-core'
import app from '@adonisjs/core/services/app'
import { BASE_URL } from '#tests/helpers/browser'

export const CHROMIUM_PATH = '/usr/bin/chromium'

/* The background-networking flags keep Chromium from calling out of this machine's closed network */
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

let browser: Browser | null = null

/** Launches Chromium; returns the function that closes it */
export async function startChromium() {
  const launched = await chromium.launch({ executablePath: CHROMIUM_PATH, args: ARGS })
  browser = launched
  return async () => {
    browser = null
    await launched.close()
  }
}

/** What the page said on its console, and every URL it requested */
export type PageLog = { console: string[]; requests: string[] }

/** The sizes pages are checked at */
export const VIEWPORTS = {
  desktop: { width: 1280, height: 800 },
  phone: { width: 390, height: 844 },
} as const
export type ViewportName = keyof typeof VIEWPORTS

/**
 * A page in a context of its own, closed by the test's cleanup. A server
 * error any page meets is printed at once, so that a test that then waits in
 * vain says why.
 */
export async function openPage(
  cleanup: (handler: () => Promise<void>) => void,
  viewport: ViewportName = 'desktop',
  /** The browser's language (its Accept-Language); English unless given */
  locale = 'en-US'
): Promise<{ page: Page; log: PageLog }> {
  if (!browser) throw new Error('Chromium runs only in the browser suite')
  const context = await browser.newContext({
    baseURL: BASE_URL,
    locale,
    viewport: VIEWPORTS[viewport],
    ...(viewport === 'phone' ? { isMobile: true, hasTouch: true, deviceScaleFactor: 2 } : {}),
  })
  cleanup(() => context.close())
  const page = await context.newPage()
  const log: PageLog = { console: [], requests: [] }
  page.on('console', (message) => {
    /* Chromium's own note when a form is typed into before a late autofocus: timing, not the page */
    if (message.text().startsWith('Autofocus processing was blocked')) return
    log.console.push(`${message.type()}: ${message.text()}`)
  })
  page.on('pageerror', (error) => log.console.push(`pageerror: ${error.message}`))
  page.on('request', (request) => log.requests.push(request.url()))
  page.on('response', (response) => {
    if (response.status() >= 500)
      console.error(
        `chromium: ${response.status()} from ${response.request().method()} ${response.url()}`
      )
  })
  return { page, log }
}

/** A page's title as the layout writes it: the page's, then the site's name */
export const titled = (title: string) => `${title} · ${new URL(BASE_URL).host}`

/** Nothing sticks out sideways: the page fits the screen's width */
export async function assertFitsWidth(
  assert: { isAtMost: (a: number, b: number, m?: string) => void },
  page: Page
) {
  const width = await page.evaluate<number>('document.documentElement.scrollWidth')
  assert.isAtMost(width, page.viewportSize()!.width, `no horizontal scrolling on ${page.url()}`)
}

/** Saves a full-page PNG as tests/artifacts/<name>.png and returns its path */
export async function screenshot(page: Page, name: string) {
  await mkdir(app.makePath('tests/artifacts'), { recursive: true })
  const path = app.makePath('tests/artifacts', `${name}.png`)
  await page.screenshot({ path, fullPage: true })
  return path
}
