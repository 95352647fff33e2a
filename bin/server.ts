/*
 * HTTP server entrypoint (`npm start` runs it through bin/start.js; the
 * production build runs it directly).
 */
await import('reflect-metadata')
const { Ignitor } = await import('@adonisjs/core')
const { reportBootError } = await import('./boot_error.js')

const APP_ROOT = new URL('../', import.meta.url)
const IMPORTER = (filePath: string) => {
  if (filePath.startsWith('./') || filePath.startsWith('../')) {
    return import(new URL(filePath, APP_ROOT).href)
  }
  return import(filePath)
}

new Ignitor(APP_ROOT, { importer: IMPORTER })
  .tap((app) => {
    app.booting(async () => {
      await import('#start/env')
    })
    app.listen('SIGTERM', () => app.terminate())
    app.listenIf(app.managedByPm2, 'SIGINT', () => app.terminate())
  })
  .httpServer()
  .start()
  .catch(reportBootError)
