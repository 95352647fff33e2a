import { createHash, randomInt } from 'node:crypto'
import { test } from '@japa/runner'
import type { Assert } from '@japa/assert'
import db from '@adonisjs/lucid/services/db'
import redis from '@adonisjs/redis/services/main'
import { startApp, type AppProcess } from '#tests/helpers/app_process'
import { Browser, readForm } from '#tests/helpers/browser'

/*
 * ACCOUNT_RATE_LIMITS and docs/data-model.md#shared-state: the login limit lives in the shared limiter
 * store, so two app processes count together. Each test uses a rule of its
 * own ("3 per <random> seconds"): the limiter key holds the rule, so counters
 * of other runs sharing the Redis server cannot meet ours.
 */
function uniqueRule() {
  const seconds = randomInt(600, 3600)
  return {
    seconds,
    limits: JSON.stringify({ login: `3/${seconds}s/ip`, login_failed: '1000/m/ip,5/300s/key' }),
    keyPart: `login:3/${seconds}:ip:`,
  }
}

const digest = (value: string) => createHash('sha256').update(value).digest('base64url')

/** One failed login through the form (the CSRF token comes from the page) */
async function failLogin(assert: Assert, app: AppProcess) {
  const browser = new Browser(app.url)
  const page = await browser.get('/accounts/login/')
  assert.equal(page.status, 200, page.body.slice(0, 500))
  return browser.submit(readForm(page.body, 'form[action="/accounts/login/"]'), {
    login: `nobody-${randomInt(1e9)}`,
    password: 'wrong',
  })
}

/** Three failed logins spread over both processes pass; the fourth, on either one, gets 429 with Retry-After */
async function assertSharedLimit(
  assert: Assert,
  first: AppProcess,
  second: AppProcess,
  seconds: number
) {
  for (const app of [first, second, first]) {
    assert.equal((await failLogin(assert, app)).status, 200, app.url)
  }
  for (const app of [second, first]) {
    const blocked = await failLogin(assert, app)
    assert.equal(blocked.status, 429, app.url)
    const retryAfter = Number(blocked.headers.get('retry-after'))
    assert.isTrue(
      Number.isInteger(retryAfter) && retryAfter > seconds - 60 && retryAfter <= seconds,
      `Retry-After ${retryAfter}`
    )
    assert.include(blocked.body, 'Too many failed login attempts.')
  }
}

async function startPair(
  env: Record<string, string>,
  cleanup: (task: () => Promise<void>) => void
) {
  const [first, second] = await Promise.all([startApp(env), startApp(env)])
  cleanup(() => first.stop())
  cleanup(() => second.stop())
  return [first, second] as const
}

test.group('Login rate limit shared by two app processes', (group) => {
  group.each.timeout(90_000)

  test('LIMITER_STORE=redis', async ({ assert, cleanup }) => {
    const rule = uniqueRule()
    const clear = async () => {
      const keys = await redis.keys(`*${rule.keyPart}*`)
      if (keys.length) await redis.del(...keys)
    }
    await clear()
    cleanup(clear)
    const [first, second] = await startPair(
      { LIMITER_STORE: 'redis', ACCOUNT_RATE_LIMITS: rule.limits },
      cleanup
    )

    await assertSharedLimit(assert, first, second, rule.seconds)
    const keys = await redis.keys(`*${rule.keyPart}*`)
    assert.lengthOf(keys, 1, 'one counter, in Redis')
    assert.oneOf(
      keys[0].slice(keys[0].indexOf(rule.keyPart) + rule.keyPart.length),
      ['127.0.0.1', '::ffff:127.0.0.1'].map(digest),
      'the counted address is stored as its digest'
    )
  })

  test('LIMITER_STORE=database', async ({ assert, cleanup }) => {
    const rule = uniqueRule()
    cleanup(async () => {
      await db.from('rate_limits').where('key', 'like', `%${rule.keyPart}%`).delete()
    })
    const [first, second] = await startPair(
      { LIMITER_STORE: 'database', ACCOUNT_RATE_LIMITS: rule.limits },
      cleanup
    )

    await assertSharedLimit(assert, first, second, rule.seconds)
    const rows = await db.from('rate_limits').where('key', 'like', `%${rule.keyPart}%`)
    assert.lengthOf(rows, 1, 'one counter, in the rate_limits table')
    assert.isAtLeast(Number(rows[0].points), 3)
  })
})
