/*
 * Test runner entrypoint. Every run gets a database of its own (SQLite file,
 * MySQL or PostgreSQL database), named here before the app reads its config,
 * created and migrated by tests/bootstrap.ts and dropped at the end.
 */
process.env.NODE_ENV = 'test'
const runId = `${process.pid}_${Date.now().toString(36)}`
/*
 * Each run listens on a port of its own, drawn by the system (or TEST_PORT),
 * and the issuer follows it: runs beside a dev server or beside each other
 * never meet. The port `node ace test` hands over (3334, or the next one) is
 * not used: two runs starting together could both be handed it. Children
 * take PORT+1 … PORT+8 (tests/helpers/app_process.ts), each checked free.
 */
process.env.PORT = process.env.TEST_PORT || String(await freePort())
process.env.APP_URL = `http://127.0.0.1:${process.env.PORT}`
process.env.SQLITE_PATH ??= `tmp/test_${runId}.sqlite3`
if (['mysql', 'postgres'].includes(process.env.DB_CONNECTION ?? ''))
  process.env.DB_DATABASE = `oidc_test_${runId}`
/*
 * Mail goes by SMTP to the sink the functional and browser suites start
 * (tests/helpers/mail_sink.ts), on a port of its own; children inherit it.
 */
process.env.SMTP_HOST = '127.0.0.1'
process.env.SMTP_PORT = String(await freePort())

import 'reflect-metadata'
import { createServer } from 'node:net'
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

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number }
      probe.close(() => resolve(port))
    })
  })
}
