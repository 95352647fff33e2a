/*
 * Translations of the pages and mails (docs/translations.md). Each locale is
 * a folder of JSON files under resources/lang/<locale>/, one file per page or
 * mail named after its view, so `resources/lang/de/accounts/login.json` holds
 * the keys `accounts.login.*`. A key missing in a locale falls back to English
 * (a unit test keeps every locale complete).
 */
import app from '@adonisjs/core/services/app'
import { defineConfig, formatters, loaders } from '@adonisjs/i18n'

/** The locales pages and mails are written in; also discovery's ui_locales_supported */
export const SUPPORTED_LOCALES = ['en', 'de', 'fr']

const i18nConfig = defineConfig({
  defaultLocale: 'en',
  supportedLocales: SUPPORTED_LOCALES,
  formatter: formatters.icu(),
  loaders: [loaders.fs({ location: app.languageFilesPath() })],
})

export default i18nConfig
