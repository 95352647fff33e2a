/**
 * A response that hands out a code or tokens is sent only after their rows are
 * committed. Here the database connection drops at the moment it carries the
 * COMMIT, so the server rolls the transaction back: the client must get
 * server_error, never a code or a token that does not exist, and the failure
 * is logged.
 */
import { test } from '@japa/runner'
import {
  authorize,
  exchange,
  signIn,
  startFaultApp,
  userinfo,
  type FaultApp,
} from '#tests/helpers/fault_app'
import { errorBody } from '#tests/helpers/oauth_errors'

/** Log lines reach stdout through the logger's worker, a moment after the response */
async function logged(app: FaultApp, line: RegExp) {
  for (let wait = 0; wait < 50 && !line.test(app.server.stdout()); wait++)
    await new Promise((resolve) => setTimeout(resolve, 100))
  return line.test(app.server.stdout())
}

test.group('A COMMIT that fails', (group) => {
  let app: FaultApp
  group.setup(async () => {
    app = await startFaultApp()
    return () => app.stop()
  })
  group.each.teardown(() => {
    app.database.failCommits = false
  })
  group.each.timeout(60_000)

  test('the code exchange answers server_error; the code still works once the database does', async ({
    assert,
  }) => {
    const browser = await signIn(app)
    const { code, verifier } = await authorize(app, browser)
    assert.isString(code)

    app.database.failCommits = true
    const failed = await exchange(app, code!, verifier)
    assert.equal(failed.status, 500, JSON.stringify(failed.body))
    assert.deepEqual(failed.body, errorBody('server_error'))
    assert.isTrue(await logged(app, /"level":50.*COMMIT/), 'the failure is logged')

    app.database.failCommits = false
    const tokens = await exchange(app, code!, verifier)
    assert.equal(tokens.status, 200, 'the rolled-back exchange did not spend the code')
    assert.equal(await userinfo(app, tokens.body.access_token), 200)
  })

  test('an authorization answers with the error page, never a code that was not stored', async ({
    assert,
  }) => {
    const browser = await signIn(app)
    app.database.failCommits = true
    const { page, code } = await authorize(app, browser)
    assert.isNull(code)
    assert.equal(page.status, 500)
    assert.include(page.body, '<code>server_error</code>')

    app.database.failCommits = false
    const again = await authorize(app, browser)
    assert.equal((await exchange(app, again.code!, again.verifier)).status, 200)
  })
})
