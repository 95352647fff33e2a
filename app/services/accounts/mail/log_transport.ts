import logger from '@adonisjs/core/services/logger'
import { MailResponse } from '@adonisjs/mail'
import type { MailTransportContract, NodeMailerMessage } from '@adonisjs/mail/types'

/**
 * The transport when no SMTP_HOST is set: each mail is written to the log with
 * its plain-text body, links included (Django's console e-mail backend).
 */
export class LogTransport implements MailTransportContract {
  async send(message: NodeMailerMessage) {
    const to = String(message.to)
    logger.info({ mail: { to, subject: message.subject } }, `mail to ${to}\n${message.text}`)
    return new MailResponse('', { from: String(message.from), to: [to] }, undefined)
  }
}
