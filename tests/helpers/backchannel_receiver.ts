import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

/** A relying party's back-channel logout endpoint: records each logout_token posted to it */
export class BackchannelReceiver {
  tokens: string[] = []
  #server: Server
  #waiters: (() => void)[] = []

  constructor(private status = 200) {
    this.#server = createServer((request, response) => {
      let body = ''
      request.on('data', (chunk) => (body += chunk))
      request.on('end', () => {
        const token = new URLSearchParams(body).get('logout_token')
        if (token) this.tokens.push(token)
        response.writeHead(this.status).end()
        this.#waiters.splice(0).forEach((resolve) => resolve())
      })
    })
  }

  async start() {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve))
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}/backchannel-logout`
  }

  /** Resolves at the next request, or after `ms` */
  next(ms = 3000) {
    return new Promise<void>((resolve) => {
      this.#waiters.push(resolve)
      setTimeout(resolve, ms)
    })
  }

  stop() {
    return new Promise<void>((resolve) => this.#server.close(() => resolve()))
  }
}
