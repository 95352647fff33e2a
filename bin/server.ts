/*
 * HTTP server entrypoint (`npm start` runs it through bin/start.js; the
 * production build runs it directly).
 */
await import('reflect-metadata')
const { createIgnitor } = await import('./ignitor.js')
const { reportBootError } = await import('./boot_error.js')

createIgnitor().httpServer().start().catch(reportBootError)
