/**
 * The database goes away under load and comes back. Every answer meanwhile is
 * a success or a clean server_error (JSON on API paths, the error page on
 * pages); nothing hangs, the process lives, every code and token handed out
 * exists, and the app serves again without a restart.
 */
import { createHash } from 'node:crypto'
import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import type { Browser, Page } from '#tests/helpers/browser'
import {
  authorize,
  exchange,
  signIn,
  startFaultApp,
  userinfo,
  type FaultApp,
} from '#tests/helpers/fault_app'

type Answer = { what: string; status: number; body: string; type: string }

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const sha256 = (value: string) => createHash('sha256').update(value).digest('hex')

/** A clean failure: JSON server_error on the API, the error page elsewhere */
function cleanFailure(answer: Answer) {
  if (answer.status !== 500 && answer.status !== 503) return false
  if (answer.what === 'page') return answer.body.includes('<code>server_error</code>')
  return JSON.parse(answer.body).error === 'server_error'
}

test.group('The database goes down under load', (group) => {
  let app: FaultApp
  group.setup(async () => {
    app = await startFaultApp()
    return () => app.stop()
  })
  group.each.timeout(120_000)

  test('answers stay clean, nothing is half-written, and the app recovers by itself', async ({
    assert,
  }) => {
    const browsers: Browser[] = []
    for (let i = 0; i < 6; i++) browsers.push(await signIn(app))
    const answers: Answer[] = []
    const unanswered: string[] = []
    const codes: string[] = []
    const tokens: string[] = []

    const record = (what: string, page: Page | { status: number; body: unknown }) => {
      const body = typeof page.body === 'string' ? page.body : JSON.stringify(page.body)
      const type = 'headers' in page ? (page.headers.get('content-type') ?? '') : 'json'
      answers.push({ what, status: page.status, body, type })
    }

    async function flow(browser: Browser) {
      const grants = await browser.get('/accounts/grants/')
      record('page', grants)
      const issued = await authorize(app, browser)
      if (!issued.code) return record('page', issued.page)
      codes.push(issued.code)
      const exchanged = await exchange(app, issued.code, issued.verifier)
      record('token', exchanged)
      if (exchanged.status !== 200) return
      tokens.push(exchanged.body.access_token)
      const status = await userinfo(app, exchanged.body.access_token)
      answers.push({ what: 'userinfo', status, body: '{"error":"server_error"}', type: 'json' })
    }

    let running = true
    const workers = browsers.map(async (browser) => {
      while (running) {
        await flow(browser).catch((error: Error) => unanswered.push(error.message))
      }
    })
    await sleep(1500)
    app.database.cut()
    await sleep(3000)
    app.database.restore()
    await sleep(3000)
    running = false
    await Promise.all(workers)

    assert.deepEqual(unanswered, [], 'every request was answered')
    const failures = answers.filter((answer) => answer.status >= 400)
    assert.isNotEmpty(failures, 'the outage was felt')
    for (const failure of failures) {
      assert.isTrue(
        cleanFailure(failure),
        `${failure.what} ${failure.status} ${failure.body.slice(0, 200)}`
      )
    }
    assert.isTrue(
      answers.slice(-6).some((answer) => answer.status === 200),
      'served again'
    )

    /* every code that left in a redirect, and every token from a 200, exists */
    const stored = await db
      .connection(app.database.connection)
      .from('oidc_authorization_codes')
      .whereIn('hash', codes.map(sha256))
      .count('* as total')
    assert.equal(Number(stored[0].total), codes.length)
    for (const token of tokens) assert.equal(await userinfo(app, token), 200)
    const alive = await fetch(`${app.server.url}/.well-known/openid-configuration`)
    assert.equal(alive.status, 200, 'the process lived')
  })
})
