/*
 * Ace entrypoint. Commands boot the application only when they set
 * `options.startApp`.
 */
await import('reflect-metadata')
const { createIgnitor } = await import('./ignitor.js')
const { reportBootError, settingErrorLine } = await import('./boot_error.js')

createIgnitor()
  .ace()
  .configure(async (app) => {
    /* Commands that start the app meet a bad setting inside the ace kernel, which would print a stack trace */
    const kernel = await app.container.make('ace')
    const render = kernel.errorHandler.render.bind(kernel.errorHandler)
    kernel.errorHandler.render = async (error, self) => {
      const line = settingErrorLine(error)
      return line ? self.ui.logger.logError(line) : render(error, self)
    }
  })
  .handle(process.argv.splice(2))
  .catch(reportBootError)
