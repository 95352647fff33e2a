import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import app from '@adonisjs/core/services/app'
import type { HttpContext } from '@adonisjs/core/http'

/* Each file is read once per process */
const files = new Map<string, Promise<string>>()
const read = (path: string) => {
  let text = files.get(path)
  if (!text) files.set(path, (text = readFile(path, 'utf8')))
  return text
}

/*
 * @simplewebauthn/browser's own bundle, served from its installed package:
 * pages load nothing from elsewhere (the CSP allows scripts of this origin only).
 */
const WEBAUTHN_BROWSER_BUNDLE = fileURLToPath(
  new URL('../dist/bundle/index.umd.min.js', import.meta.resolve('@simplewebauthn/browser'))
)

/** The pages' stylesheet and scripts */
export default class StaticController {
  async stylesheet({ response }: HttpContext) {
    return send(response, 'text/css', await read(app.publicPath('app.css')))
  }

  /** The security-key pages' script (public/webauthn.js) */
  async webauthnScript({ response }: HttpContext) {
    return send(response, 'text/javascript', await read(app.publicPath('webauthn.js')))
  }

  async webauthnBrowser({ response }: HttpContext) {
    return send(response, 'text/javascript', await read(WEBAUTHN_BROWSER_BUNDLE))
  }
}

function send(response: HttpContext['response'], type: string, body: string) {
  response.header('Content-Type', `${type}; charset=utf-8`)
  response.header('Cache-Control', 'public, max-age=3600')
  return response.send(body)
}
