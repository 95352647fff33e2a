/**
 * Mails as the person reads them: a subject prefixed with `[SITE_NAME] `, a
 * plain-text body and its HTML alternative, both rendered from the Edge
 * templates `emails/<name>_text` and `emails/<name>_html`, which open with
 * "Hello from SITE_NAME!" and close with "Thank you for using SITE_NAME!"
 * (allauth's mail layout). Links are absolute, on the provider's origin.
 *
 * A mail is written in the language of the page that caused it (the person
 * who just asked for it reads that language); the subject is the
 * translation `emails.<name>.subject` (docs/translations.md).
 */
import edge from 'edge.js'
import accountsConfig from '#config/accounts'
import type { OutgoingMail } from '#services/accounts/mail/outbox'
import { translator } from '#services/i18n/locale'

/** The site a mail speaks for: its name, the origin its links point to, the language it is written in */
export type MailSite = { name: string; host: string; origin: string; locale: string }

/**
 * SITE_NAME, else the provider's host (the issuer's: APP_URL when set,
 * otherwise the request's); English unless a locale is given
 */
export function mailSite(issuer: string, locale?: string): MailSite {
  const url = new URL(issuer)
  return {
    name: accountsConfig.siteName ?? url.host,
    host: url.host,
    origin: url.origin,
    locale: translator(locale).locale,
  }
}

export async function composeMail(
  name: string,
  to: string,
  site: MailSite,
  data: Record<string, unknown>
): Promise<OutgoingMail> {
  const i18n = translator(site.locale)
  /* shared rather than passed, so that the mail components' t() speaks the mail's language too */
  const renderer = edge.createRenderer().share({ i18n, site })
  const state = { ...data, link: (path: string) => new URL(path, site.origin).href }
  return {
    to,
    subject: `[${site.name}] ${i18n.t(`emails.${name}.subject`)}`,
    text: normalizeText(await renderer.render(`emails/${name}_text`, state)),
    html: await renderer.render(`emails/${name}_html`, state),
  }
}

/** Template indentation and blank runs removed: the text body reads as typed */
function normalizeText(text: string) {
  return (
    text
      .split('\n')
      .map((line) => line.trim())
      .join('\n')
      .replace(/\n{3,}/g, '\n\n')
      .trim() + '\n'
  )
}
