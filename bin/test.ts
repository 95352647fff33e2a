/*
 * Test runner entrypoint. Every run gets a database of its own (SQLite file or
 * MySQL database), named here before the app reads its config, created and
 * migrated by tests/bootstrap.ts and dropped at the end.
 */
process.env.NODE_ENV = 'test'
const runId = `${process.pid}_${Date.now().toString(36)}`
process.env.SQLITE_PATH ??= `tmp/test_${runId}.sqlite3`
if (process.env.DB_CONNECTION === 'mysql') process.env.DB_DATABASE = `oidc_test_${runId}`

import 'reflect-metadata'
import { Ignitor } from '@adonisjs/core'
import { configure, processCLIArgs, run } from '@japa/runner'
import { reportBootError } from './boot_error.js'

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
  .testRunner()
  .configure(async (app) => {
    const { runnerHooks, ...config } = await import('../tests/bootstrap.js')

    processCLIArgs(process.argv.splice(2))
    configure({
      ...app.rcFile.tests,
      ...config,
      ...{
        setup: runnerHooks.setup,
        teardown: runnerHooks.teardown.concat([() => app.terminate()]),
      },
    })
  })
  .run(() => run())
  .catch(reportBootError)
