/*
 * HTTP server entrypoint (`npm start` runs it through bin/start.js; the
 * production build runs it directly).
 */
const { ensureNode24 } = await import('./node24.js')
await ensureNode24()

await import('reflect-metadata')
const { createIgnitor } = await import('./ignitor.js')
const { reportBootError } = await import('./boot_error.js')
const { createHttpServer } = await import('#start/http_server')

createIgnitor().httpServer().start(createHttpServer).catch(reportBootError)
