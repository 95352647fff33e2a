import { readFile } from 'node:fs/promises'
import app from '@adonisjs/core/services/app'
import type { HttpContext } from '@adonisjs/core/http'

let stylesheet: string | null = null

/** The one stylesheet of the pages; read once per process */
export default class StaticController {
  async stylesheet({ response }: HttpContext) {
    stylesheet ??= await readFile(app.publicPath('app.css'), 'utf8')
    response.header('Content-Type', 'text/css; charset=utf-8')
    response.header('Cache-Control', 'public, max-age=3600')
    return response.send(stylesheet)
  }
}
