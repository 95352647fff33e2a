/**
 * A real SMTP server for the tests (smtp-server, parsed with mailparser): the
 * app sends to it over SMTP exactly as it would to a mail relay
 * (bin/test.ts points SMTP_HOST/SMTP_PORT at it). Tests wait for a mail to
 * an address, read its links or code, and can stop and restart the server to
 * see how delivery copes.
 *
 *   const mail = await mailSink.nextMail(email)
 *   await browser.get(mail.links[0])
 */
import { createServer, type Socket } from 'node:net'
import { SMTPServer } from 'smtp-server'
import { simpleParser } from 'mailparser'

export type ReceivedMail = {
  to: string
  from: string
  subject: string
  text: string
  html: string
  /** Absolute URLs standing on a line of their own in the text body */
  links: string[]
  /** An `XXXX-XXXX` code standing on a line of its own, if any */
  code: string | null
}

const POLL_MS = 25

class MailSink {
  #server: SMTPServer | null = null
  #received: ReceivedMail[] = []
  #taken = new Set<ReceivedMail>()
  /** SMTP sessions that delivered, to tell the number of sends from the number of mails */
  deliveries = 0

  get port() {
    return Number(process.env.SMTP_PORT)
  }

  async start() {
    if (this.#server) return
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData: (stream, _session, callback) => {
        simpleParser(stream).then(
          (parsed) => {
            this.deliveries++
            const text = parsed.text ?? ''
            const toField = Array.isArray(parsed.to) ? parsed.to[0] : parsed.to
            this.#received.push({
              to: (toField?.value[0]?.address ?? '').toLowerCase(),
              from: parsed.from?.value[0]?.address ?? '',
              subject: parsed.subject ?? '',
              text,
              html: typeof parsed.html === 'string' ? parsed.html : '',
              links: text.split('\n').filter((line) => /^https?:\/\/\S+$/.test(line.trim())),
              code:
                text.split('\n').find((line) => /^[A-Z]{4}-[A-Z]{4}$/.test(line.trim())) ?? null,
            })
            callback()
          },
          (error) => callback(error)
        )
      },
    })
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(this.port, '127.0.0.1', () => resolve())
    })
    this.#server = server
  }

  async stop() {
    const server = this.#server
    this.#server = null
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()))
  }

  /** Every mail received for `to` so far */
  mailsTo(to: string) {
    return this.#received.filter((mail) => mail.to === to.toLowerCase())
  }

  /** The first mail for `to` not returned before; waits for it up to `timeoutMs` */
  async nextMail(to: string, timeoutMs = 10_000): Promise<ReceivedMail> {
    const deadline = Date.now() + timeoutMs
    while (true) {
      const mail = this.mailsTo(to).find((candidate) => !this.#taken.has(candidate))
      if (mail) {
        this.#taken.add(mail)
        return mail
      }
      if (Date.now() > deadline) throw new Error(`no mail to ${to} within ${timeoutMs} ms`)
      await new Promise((resolve) => setTimeout(resolve, POLL_MS))
    }
  }

  /** Waits `ms` and returns the mails for `to` not returned before (expected: none) */
  async newMailsAfter(to: string, ms: number) {
    await new Promise((resolve) => setTimeout(resolve, ms))
    return this.mailsTo(to).filter((mail) => !this.#taken.has(mail))
  }
}

export const mailSink = new MailSink()

/**
 * A mail server that accepts connections and never says a word, on the
 * sink's port while the sink is stopped: a delivery to it hangs until the
 * SMTP timeouts give up.
 */
export async function startSilentMailServer() {
  const sockets = new Set<Socket>()
  const server = createServer((socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => {})
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(mailSink.port, '127.0.0.1', () => resolve())
  })
  return {
    /** Connections waiting for a greeting right now */
    waiting: () => sockets.size,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      }),
  }
}
