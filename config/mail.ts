/*
 * Outgoing mail (docs/accounts.md, Mail): SMTP when SMTP_HOST is set,
 * otherwise every mail is written to the log (Django's console backend), so
 * that a fresh clone starts without a mail server. Mails leave through the
 * outbox (app/services/accounts/mail/outbox.ts), never from a request.
 */
import '#start/env'
import { configProvider } from '@adonisjs/core'
import { defineConfig, transports } from '@adonisjs/mail'
import * as read from '#start/settings'

const env = process.env

/** SMTP_HOST: the mail server; unset = mails go to the log */
const host = read.optionalString(env, 'SMTP_HOST')

/** A mail server that does not answer must not hold a delivery for long (the outbox retries) */
const TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 20_000 }

export const mailSettings = {
  host,
  /** SMTP_PORT: default 25 */
  port: read.count(env, 'SMTP_PORT', 25),
  /** SMTP_USERNAME, SMTP_PASSWORD: authentication when both are set */
  username: read.optionalString(env, 'SMTP_USERNAME'),
  password: read.optionalString(env, 'SMTP_PASSWORD'),
  /** SMTP_SECURE: TLS from the first byte (port 465), default false; STARTTLS is used whenever offered */
  secure: read.bool(env, 'SMTP_SECURE', false),
  /** DEFAULT_FROM_EMAIL (Django): the sender of every mail */
  from: read.optionalString(env, 'DEFAULT_FROM_EMAIL') ?? 'webmaster@localhost',
}
if (mailSettings.port < 1 || mailSettings.port > 65535) {
  throw new read.InvalidSettingError(
    'SMTP_PORT',
    `expected a port from 1 to 65535, got "${mailSettings.port}"`
  )
}

const mailConfig = defineConfig({
  default: host ? 'smtp' : 'log',
  from: mailSettings.from,
  mailers: {
    smtp: transports.smtp({
      host: host ?? 'localhost',
      port: mailSettings.port,
      secure: mailSettings.secure,
      ...(mailSettings.username && mailSettings.password
        ? { auth: { type: 'login', user: mailSettings.username, pass: mailSettings.password } }
        : {}),
      ...TIMEOUTS,
    }),
    log: configProvider.create(async () => {
      const { LogTransport } = await import('#services/accounts/mail/log_transport')
      return () => new LogTransport()
    }),
  },
})

export default mailConfig

declare module '@adonisjs/mail/types' {
  export interface MailersList extends InferMailers<typeof mailConfig> {}
}
