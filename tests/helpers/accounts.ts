/**
 * The person's side of the account pages in functional tests: sign up
 * through the form, and the values a new account needs.
 */
import accountsConfig, { type AccountsConfig } from '#config/accounts'
import { randomValue } from '#services/oidc/protocol/random'
import { parseRateRules } from '#start/settings'
import type { AccountRateLimitAction } from '#start/account_settings'
import { readForm, type Browser } from '#tests/helpers/browser'

export const SIGNUP = '/accounts/signup/'
export const EMAIL_PAGE = '/accounts/email/'
export const CONFIRM_EMAIL = '/accounts/confirm-email/'

/** An address no other test uses */
export const uniqueEmail = (label: string) =>
  `${label}-${randomValue(6).replace(/[-_]/g, 'x').toLowerCase()}@example.com`

/** A username no other test uses */
export const uniqueUsername = (label: string) => `${label}_${randomValue(5).replace(/-/g, 'x')}`

/** A password the validators accept */
export const goodPassword = () => `Tundra-${randomValue(9)}`

export type NewAccount = { email: string; username: string; password: string }

export function newAccount(label = 'new'): NewAccount {
  return { email: uniqueEmail(label), username: uniqueUsername(label), password: goodPassword() }
}

/** Opens the sign-up page (with `next`) and posts its form with `values` */
export async function signUp(
  browser: Browser,
  account: NewAccount,
  options: { next?: string; values?: Record<string, string | null> } = {}
) {
  const query = options.next ? `?${new URLSearchParams({ next: options.next })}` : ''
  const page = await browser.get(`${SIGNUP}${query}`)
  if (page.status !== 200)
    throw new Error(`sign-up page: ${page.status}\n${page.body.slice(0, 500)}`)
  return browser.submit(readForm(page.body, `form[action="${SIGNUP}"]`), {
    email: account.email,
    username: account.username,
    password1: account.password,
    password2: account.password,
    ...options.values,
  })
}

/** The page's text without tags, spaces collapsed */
export const pageText = (html: string) =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()

/** Account settings for one test, restored by its cleanup (services read them at call time) */
export function useAccountSettings(
  cleanup: (handler: () => void) => void,
  overrides: Partial<AccountsConfig>
) {
  const saved = Object.fromEntries(
    Object.keys(overrides).map((key) => [key, accountsConfig[key as keyof AccountsConfig]])
  )
  Object.assign(accountsConfig, overrides)
  cleanup(() => void Object.assign(accountsConfig, saved))
}

/** ACCOUNT_RATE_LIMITS' rules for one test: `{ signup: '2/m/ip' }` */
export function useAccountRateLimits(
  cleanup: (handler: () => void) => void,
  rates: Partial<Record<AccountRateLimitAction, string>>
) {
  const rateLimits = { ...accountsConfig.rateLimits }
  for (const [action, rate] of Object.entries(rates))
    rateLimits[action as AccountRateLimitAction] = parseRateRules(rate!, 'test')
  useAccountSettings(cleanup, { rateLimits })
}

export const PASSWORD_RESET = '/accounts/password/reset/'

/** Asks for a password reset of `email` through the form (with `next`) */
export async function requestReset(browser: Browser, email: string, next?: string) {
  const query = next ? `?${new URLSearchParams({ next })}` : ''
  const page = await browser.get(`${PASSWORD_RESET}${query}`)
  return browser.submit(readForm(page.body, `form[action="${PASSWORD_RESET}"]`), { email })
}

/** Opens a mailed reset link and posts `password` on the form it leads to */
export async function resetWithLink(browser: Browser, link: string, password: string) {
  const opened = await browser.get(link)
  if (opened.status !== 302) return opened
  const form = await browser.get(opened.location!)
  if (form.status !== 200) return form
  const action = new URL(opened.location!).pathname
  return browser.submit(readForm(form.body, `form[action="${action}"]`), {
    password1: password,
    password2: password,
    action: 'change',
  })
}
