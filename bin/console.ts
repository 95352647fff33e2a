/*
 * Ace entrypoint. Commands boot the application only when they set
 * `options.startApp`.
 */
await import('reflect-metadata')
const { createIgnitor } = await import('./ignitor.js')
const { reportBootError } = await import('./boot_error.js')

createIgnitor()
  .ace()
  .handle(process.argv.splice(2))
  .catch(reportBootError)
