/*
 * Test runner entrypoint. Every run gets a database of its own (SQLite file or
 * MySQL database), named here before the app reads its config, created and
 * migrated by tests/bootstrap.ts and dropped at the end.
 */
process.env.NODE_ENV = 'test'
const runId = `${process.pid}_${Date.now().toString(36)}`
/*
 * `node ace test` hands the runner a free PORT (the one of .env, or the next
 * free one when a dev server holds it); the issuer follows it, so that a run
 * beside a dev server or another run still meets only its own server.
 * Children take PORT+1 … PORT+8 (tests/helpers/app_process.ts).
 */
process.env.APP_URL = `http://127.0.0.1:${process.env.PORT}`
process.env.SQLITE_PATH ??= `tmp/test_${runId}.sqlite3`
if (process.env.DB_CONNECTION === 'mysql') process.env.DB_DATABASE = `oidc_test_${runId}`

import 'reflect-metadata'
import { configure, processCLIArgs, run } from '@japa/runner'
import { createIgnitor } from './ignitor.js'
import { reportBootError } from './boot_error.js'

createIgnitor()
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
