/**
 * Which language a page speaks. An OIDC flow's `ui_locales` (a space-separated
 * list of BCP 47 tags, most preferred first) wins: on the authorization request
 * itself, or inside the `next` of the account pages the flow passes through,
 * and it is remembered for the rest of that flow. Otherwise the browser's
 * Accept-Language decides; English when nothing matches.
 */
import i18nManager from '@adonisjs/i18n/services/main'
import { PATHS } from '#services/oidc/protocol/paths'

/** The first supported locale of a `ui_locales` value, or null */
export function fromUiLocales(uiLocales: unknown): string | null {
  if (typeof uiLocales !== 'string') return null
  for (const tag of uiLocales.split(' ').filter(Boolean)) {
    const locale = i18nManager.getSupportedLocaleFor(tag)
    if (locale) return locale
  }
  return null
}

/** `ui_locales` of the authorization request a `next` path leads to, or null */
export function fromNextPath(next: unknown): string | null {
  if (typeof next !== 'string' || !next.startsWith(`${PATHS.authorize}?`)) return null
  return fromUiLocales(new URL(next, 'http://next.invalid').searchParams.get('ui_locales'))
}

/** The best supported locale for an Accept-Language header, or null */
export function fromAcceptLanguage(languages: string[]): string | null {
  return languages.length ? i18nManager.getSupportedLocaleFor(languages) : null
}

export const defaultLocale = () => i18nManager.defaultLocale

/** A translator for a locale, for mails and anything rendered outside a request */
export const translator = (locale?: string | null) => i18nManager.locale(locale ?? defaultLocale())
