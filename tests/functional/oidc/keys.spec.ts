import { DateTime } from 'luxon'
import { test } from '@japa/runner'
import type { Assert } from '@japa/assert'
import { decodeProtectedHeader } from 'jose'
import OidcSigningKey from '#models/oidc_signing_key'
import { KEY_PUBLICATION_LEAD_SECONDS } from '#services/oidc/keys/signing_keys'
import { BASE_URL } from '#tests/helpers/browser'
import {
  inTheFuture,
  keepSigningKeys,
  keysOf,
  secondsBetween,
  storeFor,
} from '#tests/helpers/signing_keys'
import { runCommand, runJson, runRefused } from '../commands/run_command.js'

/** The kids the test server publishes now */
async function publishedKids() {
  const response = await fetch(`${BASE_URL}/.well-known/jwks.json`)
  return ((await response.json()) as { keys: { kid: string }[] }).keys.map((key) => key.kid)
}

/*
 * A kid may start with "-" (base64url), which ace would read as a flag, so it
 * goes after "--", as an operator types it: keys:retire --json -- <kid>.
 */
async function retire(assert: Assert, kid: string) {
  const output = await runCommand('keys:retire', ['--json', '--', kid])
  assert.deepEqual(output.stderr, [])
  assert.lengthOf(output.stdout, 1)
  return JSON.parse(output.stdout[0])
}

async function retireRefused(assert: Assert, kid: string) {
  const output = await runCommand('keys:retire', ['--json', '--', kid])
  assert.equal(output.exitCode, 1)
  assert.deepEqual(output.stdout, [])
  assert.lengthOf(output.stderr, 1)
  return output.stderr[0].replace(/^error: /, '')
}

async function signingKid(store: ReturnType<typeof storeFor>) {
  return decodeProtectedHeader(await store.sign({ sub: 'probe' }, 'JWT')).kid
}

/** At each offset (seconds from now), with a fresh store: the kid that signs and the kids of `alg` published */
async function timeline(alg: 'ES256' | 'EdDSA', offsets: number[]) {
  const result: Record<number, { signs: string | undefined; published: string[] }> = {}
  for (const offset of offsets) {
    result[offset] = await inTheFuture(offset, async () => {
      const store = storeFor(alg)
      const published = (await store.jwks()).keys.filter((key) => key.alg === alg)
      return { signs: await signingKid(store), published: published.map((key) => key.kid!) }
    })
  }
  return result
}

test.group('keys:generate (docs/tokens.md#signing-keys)', (group) => {
  group.each.setup(async () => keepSigningKeys())

  test('the first key of an algorithm signs at once and is published at once', async ({
    assert,
  }) => {
    assert.isNull(
      await keysOf('ES256').whereNull('retired_at').first(),
      'precondition: no live ES256 key'
    )
    const created = await runJson(assert, 'keys:generate', ['--alg', 'ES256'])
    assert.deepEqual(Object.keys(created), ['kid', 'alg', 'active_from', 'retired_at'])
    assert.equal(created.alg, 'ES256')
    assert.isNull(created.retired_at)
    assert.isAtMost(Math.abs(DateTime.fromISO(created.active_from).diffNow('seconds').seconds), 2)

    const row = await OidcSigningKey.findByOrFail('kid', created.kid)
    assert.isAtMost(Math.abs(row.activeFrom.diffNow('seconds').seconds), 2)
    assert.include(await publishedKids(), created.kid)
    assert.equal(await signingKid(storeFor('ES256')), created.kid)
  })

  test('a key of an algorithm that signs already is published at once, signs after 300 s, and the old key retires then', async ({
    assert,
  }) => {
    const first = await runJson(assert, 'keys:generate', ['--alg', 'ES256'])
    const second = await runJson(assert, 'keys:generate', ['--alg', 'ES256'])

    const [oldRow, newRow] = await Promise.all([
      OidcSigningKey.findByOrFail('kid', first.kid),
      OidcSigningKey.findByOrFail('kid', second.kid),
    ])
    assert.equal(KEY_PUBLICATION_LEAD_SECONDS, 300)
    assert.closeTo(secondsBetween(DateTime.utc(), newRow.activeFrom), 300, 2)
    assert.isNull(newRow.retiredAt)
    assert.equal(
      oldRow.retiredAt!.toMillis(),
      newRow.activeFrom.toMillis(),
      'the old key retires when the new one starts'
    )
    assert.equal(
      DateTime.fromISO(second.active_from).toSeconds() | 0,
      newRow.activeFrom.toSeconds() | 0
    )

    /* Published at once, by the running server too, after the key that signs */
    const kids = await publishedKids()
    assert.include(kids, second.kid)
    assert.isBelow(kids.indexOf(first.kid), kids.indexOf(second.kid))

    const window = storeFor('ES256').retiredKeyWindowSeconds
    const lead = secondsBetween(DateTime.utc(), newRow.activeFrom)
    const at = await timeline('ES256', [
      0,
      lead - 2,
      lead + 2,
      lead + window - 2,
      lead + window + 2,
    ])
    assert.equal(at[0].signs, first.kid)
    assert.deepEqual(
      at[0].published,
      [first.kid, second.kid],
      'the signing key first, then the waiting one'
    )
    assert.equal(at[lead - 2].signs, first.kid, 'the new key does not sign before its time')
    assert.equal(at[lead + 2].signs, second.kid)
    assert.deepEqual(
      at[lead + 2].published,
      [second.kid, first.kid],
      'the retired key stays published'
    )
    assert.deepEqual(at[lead + window - 2].published, [second.kid, first.kid])
    assert.deepEqual(at[lead + window + 2].published, [second.kid], 'and is gone after its window')
  })

  test('without --alg the configured algorithm (RS256) gets the key; --now makes it sign at once', async ({
    assert,
  }) => {
    const [current] = await keysOf('RS256').whereNull('retired_at')
    const pending = await runJson(assert, 'keys:generate', [])
    assert.equal(pending.alg, 'RS256')
    assert.closeTo(secondsBetween(DateTime.utc(), DateTime.fromISO(pending.active_from)), 300, 2)
    await current.refresh()
    assert.equal(
      current.retiredAt!.toMillis(),
      (await OidcSigningKey.findByOrFail('kid', pending.kid)).activeFrom.toMillis()
    )

    const now = await runJson(assert, 'keys:generate', ['--now'])
    assert.isAtMost(Math.abs(DateTime.fromISO(now.active_from).diffNow('seconds').seconds), 2)
    assert.equal(await signingKid(storeFor('RS256')), now.kid)
    const kids = await publishedKids()
    assert.equal(kids[0], now.kid, 'the server signs with it and lists it first')
    assert.includeMembers(kids, [current.kid, pending.kid])

    /* Neither older key may sign again later: each retires no later than the newest key starts */
    const rows = await keysOf('RS256').whereIn('kid', [current.kid, pending.kid])
    for (const row of rows)
      assert.isAtMost(
        row.retiredAt!.toMillis(),
        DateTime.fromISO(now.active_from).toMillis() + 1000,
        row.kid
      )
  })

  test('generating again while a key waits leaves exactly one key to sign later on', async ({
    assert,
  }) => {
    const a = await runJson(assert, 'keys:generate', ['--alg', 'EdDSA'])
    const b = await runJson(assert, 'keys:generate', ['--alg', 'EdDSA'])
    const c = await runJson(assert, 'keys:generate', ['--alg', 'EdDSA'])
    const rows = await keysOf('EdDSA')
    assert.deepEqual(
      rows.map((row) => row.kid),
      [a.kid, b.kid, c.kid]
    )
    assert.isNull(rows[2].retiredAt)
    assert.isNotNull(
      rows[1].retiredAt,
      'the waiting key is replaced too, or it would stay published for ever'
    )
    assert.isAtMost(rows[1].retiredAt!.toMillis(), rows[2].activeFrom.toMillis())

    const window = storeFor('EdDSA').retiredKeyWindowSeconds
    const at = await timeline('EdDSA', [0, 302, 302 + window + 2])
    assert.equal(at[0].signs, a.kid)
    assert.equal(at[302].signs, c.kid)
    assert.deepEqual(at[302 + window + 2].published, [c.kid])
  })

  test('refuses an unknown algorithm and writes nothing', async ({ assert }) => {
    const before = (await OidcSigningKey.all()).length
    assert.equal(
      await runRefused(assert, 'keys:generate', ['--alg', 'HS256']),
      'unknown algorithm "HS256"; use RS256, ES256 or EdDSA'
    )
    assert.lengthOf(await OidcSigningKey.all(), before)
  })
})

test.group('keys:retire (docs/tokens.md#signing-keys)', (group) => {
  group.each.setup(async () => keepSigningKeys())

  test('refuses the only signing key of the configured algorithm', async ({ assert }) => {
    const live = await keysOf('RS256').whereNull('retired_at')
    assert.lengthOf(live, 1, 'precondition: the run has one RS256 key')
    const message = await runRefused(assert, 'keys:retire', ['--', live[0].kid])
    assert.equal(
      message,
      `key ${live[0].kid} is the current RS256 signing key and has no replacement; run keys:generate first`
    )
    await live[0].refresh()
    assert.isNull(live[0].retiredAt)
    assert.equal(await signingKid(storeFor('RS256')), live[0].kid)
  })

  test('refuses an unknown kid and a key retired already', async ({ assert }) => {
    assert.equal(await retireRefused(assert, 'no-such-kid'), 'no key with kid no-such-kid')
    const a = await runJson(assert, 'keys:generate', ['--alg', 'ES256'])
    await runJson(assert, 'keys:generate', ['--alg', 'ES256', '--now'])
    await inTheFuture(1, async () => {
      assert.equal(await retireRefused(assert, a.kid), `key ${a.kid} is already retired`)
    })
  })

  test('a retired key stays in the JWKS until its window ends, and not after', async ({
    assert,
  }) => {
    const a = await runJson(assert, 'keys:generate', ['--alg', 'ES256'])
    const b = await runJson(assert, 'keys:generate', ['--alg', 'ES256'])
    const retired = await retire(assert, a.kid)
    assert.equal(retired.kid, a.kid)
    assert.isAtMost(Math.abs(DateTime.fromISO(retired.retired_at).diffNow('seconds').seconds), 2)

    /* The replacement signs at once: retiring the signing key must not leave a gap */
    assert.equal(await signingKid(storeFor('ES256')), b.kid)
    assert.includeMembers(await publishedKids(), [a.kid, b.kid])

    const window = storeFor('ES256').retiredKeyWindowSeconds
    const at = await timeline('ES256', [0, 150, window - 2, window + 2, 400 + window])
    assert.deepEqual(at[0].published, [b.kid, a.kid])
    assert.deepEqual(at[window - 2].published, [b.kid, a.kid])
    assert.deepEqual(at[window + 2].published, [b.kid])
    for (const offset of [0, 150, window + 2, 400 + window])
      assert.equal(at[offset].signs, b.kid, `at +${offset} s`)
  })

  test('retiring a key that waits keeps the current key signing', async ({ assert }) => {
    const a = await runJson(assert, 'keys:generate', ['--alg', 'ES256'])
    const b = await runJson(assert, 'keys:generate', ['--alg', 'ES256'])
    await retire(assert, b.kid)
    const at = await timeline('ES256', [0, 302, 3600])
    for (const offset of [0, 302, 3600]) assert.equal(at[offset].signs, a.kid, `at +${offset} s`)
    assert.deepEqual(at[3600].published, [a.kid])
  })

  test('a key of another algorithm than the configured one may be retired alone', async ({
    assert,
  }) => {
    const a = await runJson(assert, 'keys:generate', ['--alg', 'EdDSA'])
    await retire(assert, a.kid)
    await assert.rejects(
      () => inTheFuture(1, () => storeFor('EdDSA').signingKey()),
      /no EdDSA signing key/
    )
  })
})

test.group('keys:list', (group) => {
  group.each.setup(async () => keepSigningKeys())

  test('--json prints every key, newest first, without private material', async ({ assert }) => {
    const created = await runJson(assert, 'keys:generate', ['--alg', 'ES256'])
    const listed: any[] = await runJson(assert, 'keys:list', [])
    const rows = await OidcSigningKey.query().orderBy('active_from', 'desc').orderBy('id', 'desc')
    assert.sameMembers(
      listed.map((key) => key.kid),
      rows.map((row) => row.kid)
    )
    for (const key of listed)
      assert.deepEqual(Object.keys(key), ['kid', 'alg', 'active_from', 'retired_at', 'signs_now'])
    const times = listed.map((key) => DateTime.fromISO(key.active_from).toMillis())
    assert.deepEqual(
      times,
      [...times].sort((x, y) => y - x)
    )
    const entry = listed.find((key) => key.kid === created.kid)
    assert.deepInclude(entry, { alg: 'ES256', retired_at: null })
    assert.closeTo(
      DateTime.fromISO(entry.active_from).toSeconds(),
      DateTime.fromISO(created.active_from).toSeconds(),
      1
    )
    assert.notMatch(JSON.stringify(listed), /PRIVATE|"d"/)

    const human = await runCommand('keys:list', [])
    assert.match(human.stdout[0], new RegExp(`^ES256 key ${created.kid}, signs from `, 'm'))
  })

  test('marks the key that signs now; a scheduled successor makes it say "retires at"', async ({
    assert,
  }) => {
    const signing = await signingKid(storeFor('RS256'))
    const successor = await runJson(assert, 'keys:generate', ['--alg', 'RS256'])
    const listed: any[] = await runJson(assert, 'keys:list', [])
    assert.deepEqual(
      listed.filter((key) => key.signs_now).map((key) => key.kid),
      [signing]
    )
    const current = listed.find((key) => key.kid === signing)
    const next = listed.find((key) => key.kid === successor.kid)
    assert.equal(current.retired_at, next.active_from)
    assert.isFalse(next.signs_now)

    const lines = (await runCommand('keys:list', [])).stdout[0].split('\n')
    const lineOf = (kid: string) => lines.find((line) => line.includes(` key ${kid},`))!
    assert.equal(
      lineOf(signing!),
      `RS256 key ${signing}, signs from ${current.active_from}, retires at ${next.active_from}  <- signs now`
    )
    assert.equal(
      lineOf(successor.kid),
      `RS256 key ${successor.kid}, signs from ${next.active_from}`
    )
  })

  test('a retired key says "retired at"', async ({ assert }) => {
    const created = await runJson(assert, 'keys:generate', ['--alg', 'EdDSA'])
    await retire(assert, created.kid)
    const lines = (await runCommand('keys:list', [])).stdout[0].split('\n')
    const line = lines.find((entry) => entry.includes(` key ${created.kid},`))!
    assert.match(line, new RegExp(`^EdDSA key ${created.kid}, signs from \\S+, retired at \\S+$`))
  })
})
