/**
 * Mails as the person reads them: a subject prefixed with `[SITE_NAME] `, a
 * plain-text body and its HTML alternative, both rendered from the Edge
 * templates `emails/<name>_text` and `emails/<name>_html`, which open with
 * "Hello from SITE_NAME!" and close with "Thank you for using SITE_NAME!"
 * (allauth's mail layout). Links are absolute, on the provider's origin.
 */
import edge from 'edge.js'
import accountsConfig from '#config/accounts'
import type { OutgoingMail } from '#services/accounts/mail/outbox'

/** The site a mail speaks for: its name, and the origin its links point to */
export type MailSite = { name: string; host: string; origin: string }

/** SITE_NAME, else the provider's host (the issuer's: APP_URL when set, otherwise the request's) */
export function mailSite(issuer: string): MailSite {
  const url = new URL(issuer)
  return { name: accountsConfig.siteName ?? url.host, host: url.host, origin: url.origin }
}

export async function composeMail(
  name: string,
  to: string,
  subject: string,
  site: MailSite,
  data: Record<string, unknown>
): Promise<OutgoingMail> {
  const state = { ...data, site, link: (path: string) => new URL(path, site.origin).href }
  return {
    to,
    subject: `[${site.name}] ${subject}`,
    text: normalizeText(await edge.render(`emails/${name}_text`, state)),
    html: await edge.render(`emails/${name}_html`, state),
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
