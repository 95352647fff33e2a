/*
 * Ace entrypoint. Commands boot the application only when they set
 * `options.startApp`.
 */
const { ensureNode24 } = await import('./node24.js')
await ensureNode24()

await import('reflect-metadata')
const { HelpCommand } = await import('@adonisjs/core/ace')
const { createIgnitor } = await import('./ignitor.js')
const { reportBootError, bootErrorLine } = await import('./boot_error.js')

createIgnitor()
  .ace()
  .configure(async (app) => {
    const kernel = await app.container.make('ace')

    /*
     * `<command> --help` prints the help and succeeds. Ace's own listener
     * prints it, then still checks the command's required flags, and fails.
     */
    let helpShown = false
    kernel.on('help', async (command, self, parsed) => {
      parsed.args.unshift(command.commandName)
      await new HelpCommand(self, parsed, self.ui, self.prompt).exec()
      helpShown = true
      return self.shortcircuit()
    })

    /* Commands that start the app meet boot problems inside the ace kernel, which would print a stack trace */
    const render = kernel.errorHandler.render.bind(kernel.errorHandler)
    kernel.errorHandler.render = async (error, self) => {
      if (helpShown) {
        self.exitCode = 0
        return
      }
      const line = bootErrorLine(error)
      return line ? self.ui.logger.logError(line) : render(error, self)
    }
  })
  .handle(process.argv.splice(2))
  .catch(reportBootError)
