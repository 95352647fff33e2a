/**
 * The Node HTTP server of every entrypoint (bin/server.ts, the test runner).
 * The framework writes a response after the app has handled the request; an
 * error thrown there (a header value Node refuses, say) escapes as a rejected
 * promise, which would end the process and every request in flight. Here it
 * ends only its own response: a 500 `server_error` in the form the path
 * calls for (JSON, or the error page), and a log line.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { randomBytes } from 'node:crypto'
import { JSON_PATHS } from '#services/oidc/protocol/paths'
import { ServerError } from '#services/oidc/protocol/errors'
import { pageSecurityHeaders } from '#middleware/page_security_middleware'

type RequestHandler = (request: IncomingMessage, response: ServerResponse) => unknown

const MINIMAL_PAGE =
  '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Error</title></head>' +
  '<body><h1>Error</h1><p><code>server_error</code></p></body></html>'

async function errorPage() {
  try {
    const { default: edge } = await import('edge.js')
    return await edge.render('oidc/error', { error: 'server_error', description: null })
  } catch {
    return MINIMAL_PAGE
  }
}

async function answerUnwritable(
  request: IncomingMessage,
  response: ServerResponse,
  error: unknown
) {
  const { default: logger } = await import('@adonisjs/core/services/logger')
  logger.error({ err: error, url: request.url }, 'the response could not be written')
  if (response.headersSent) return response.destroy()
  for (const name of response.getHeaderNames()) response.removeHeader(name)
  const path = (request.url ?? '/').split('?')[0]
  if (JSON_PATHS.test(path)) {
    response.writeHead(500, {
      'Content-Type': 'application/json; charset=utf-8',
      'Cache-Control': 'no-store',
      'Pragma': 'no-cache',
    })
    return response.end(JSON.stringify(new ServerError().toJSON()))
  }
  const headers = pageSecurityHeaders(randomBytes(16).toString('base64'))
  response.writeHead(500, {
    'Content-Type': 'text/html; charset=utf-8',
    'Cache-Control': 'no-store',
    ...headers,
  })
  response.end(await errorPage())
}

export function createHttpServer(handler: RequestHandler) {
  return createServer((request, response) => {
    Promise.resolve()
      .then(() => handler(request, response))
      .catch((error) => answerUnwritable(request, response, error))
      .catch(() => response.destroy())
  })
}
