/*
 * HTTP server entrypoint (`npm start` runs it through bin/start.js; the
 * production build runs it directly).
 */
await import('reflect-metadata')
const { createIgnitor } = await import('./ignitor.js')
const { reportBootError } = await import('./boot_error.js')
const { createHttpServer } = await import('#start/http_server')

createIgnitor().httpServer().start(createHttpServer).catch(reportBootError)
