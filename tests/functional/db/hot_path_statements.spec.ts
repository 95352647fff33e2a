import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import OidcClient from '#models/oidc_client'
import { sqlTime } from '#models/columns'
import {
  changeRows,
  insertIgnoringDuplicate,
  insertRows,
  insertSoon,
  isSqlite,
  selectRows,
} from '#database/statements'
import { inSqliteTransaction } from '#database/sqlite_pool'
import { updateClient } from '#services/oidc/clients/registration'
import { randomValue, sha256Hex } from '#services/oidc/protocol/random'
import { createClient, createUser } from '#tests/helpers/factories'

function tokenRow(clientId: string) {
  return {
    type: 'at',
    hash: sha256Hex(randomValue(16)),
    jti: null,
    client_id: clientId,
    user_id: null,
    family_id: randomValue(16),
    parent_id: null,
    scopes: 'openid',
    data: null,
    auth_time: null,
    sid: null,
    created_at: sqlTime(),
    expires_at: null,
  }
}

const storedHashes = async (hashes: string[]) =>
  (await db.from('oidc_tokens').whereIn('hash', hashes).select('hash'))
    .map((row) => row.hash)
    .sort()

test.group('Hot-path statements (app/services/db)', () => {
  test('inserts queued in one turn are all stored', async ({ assert }) => {
    const { id } = await createClient()
    const rows = [tokenRow(id), tokenRow(id), tokenRow(id)]
    await Promise.all(rows.map((row) => insertSoon({ table: 'oidc_tokens', rows: [row] })))
    assert.deepEqual(
      await storedHashes(rows.map((row) => row.hash)),
      rows.map((row) => row.hash).sort()
    )
  })

  test('one bad row in a batch fails only its own insert', async ({ assert }) => {
    const { id } = await createClient()
    const good = [tokenRow(id), tokenRow(id)]
    const bad = tokenRow('no-such-client')
    const results = await Promise.allSettled([
      insertSoon({ table: 'oidc_tokens', rows: [good[0]] }),
      insertSoon({ table: 'oidc_tokens', rows: [bad] }),
      insertSoon({ table: 'oidc_tokens', rows: [good[1]] }),
    ])
    assert.deepEqual(
      results.map((result) => result.status),
      ['fulfilled', 'rejected', 'fulfilled']
    )
    assert.deepEqual(
      await storedHashes([...good, bad].map((row) => row.hash)),
      good.map((row) => row.hash).sort()
    )
  })

  test('rows alongside are stored with the batch; a bad one fails only itself', async ({
    assert,
  }) => {
    const { id } = await createClient()
    const rows = [tokenRow(id), tokenRow(id)]
    const marker = randomValue(12)
    const event = { occurred_at: sqlTime(), type: 'tokens.issued', client_id: id, actor: marker }
    const failures: unknown[] = []
    const failed = (error: unknown) => failures.push(error)
    const results = await Promise.allSettled([
      insertSoon(
        { table: 'oidc_tokens', rows: [rows[0]] },
        { table: 'audit_events', rows: [event], failed }
      ),
      insertSoon(
        { table: 'oidc_tokens', rows: [rows[1]] },
        { table: 'audit_events', rows: [{ ...event, type: null }], failed }
      ),
    ])
    assert.deepEqual(
      results.map((result) => result.status),
      ['fulfilled', 'fulfilled']
    )
    assert.deepEqual(
      await storedHashes(rows.map((row) => row.hash)),
      rows.map((row) => row.hash).sort()
    )
    /* the server databases write rows alongside just after answering */
    for (let wait = 0; failures.length === 0 && wait < 50; wait++)
      await new Promise((resolve) => setTimeout(resolve, 20))
    assert.lengthOf(failures, 1)
    const events = await db.from('audit_events').where('actor', marker).count('* as total')
    assert.equal(Number(events[0].total), 1)
  })

  test('SQLite transactions of one turn share a commit; one that throws is undone alone', async ({
    assert,
  }) => {
    const { id } = await createClient()
    const rows = [tokenRow(id), tokenRow(id), tokenRow(id)]
    const committed: string[] = []
    const results = await Promise.allSettled(
      rows.map((row, index) =>
        inSqliteTransaction(async (trx) => {
          await insertRows('oidc_tokens', [row], trx)
          trx.after('commit', () => committed.push(row.hash))
          if (index === 1) throw new Error('the second one fails after its insert')
          return index
        })
      )
    )
    assert.deepEqual(
      results.map((result) => result.status),
      ['fulfilled', 'rejected', 'fulfilled']
    )
    const kept = [rows[0].hash, rows[2].hash].sort()
    assert.deepEqual(await storedHashes(rows.map((row) => row.hash)), kept)
    assert.deepEqual(committed.sort(), kept)
  }).skip(!isSqlite(), 'SQLite only: the server databases use Lucid transactions')

  test('changeRows counts the changed rows; a duplicate is left out by insertIgnoringDuplicate', async ({
    assert,
  }) => {
    const { id } = await createClient()
    const { user } = await createUser()
    const row = { sid: randomValue(16), client_id: id, user_id: user.id, created_at: sqlTime() }
    await insertIgnoringDuplicate('oidc_session_clients', row)
    await insertIgnoringDuplicate('oidc_session_clients', {
      ...row,
      created_at: '2000-01-01 00:00:00',
    })
    const stored = await selectRows<{ created_at: unknown }>(
      'select created_at from oidc_session_clients where sid = ?',
      [row.sid]
    )
    assert.lengthOf(stored, 1)
    assert.equal(await changeRows('delete from oidc_session_clients where sid = ?', [row.sid]), 1)
    assert.equal(await changeRows('delete from oidc_session_clients where sid = ?', [row.sid]), 0)
  })

  test('a client is shared while its row is unchanged, read-only, and fresh once changed', async ({
    assert,
  }) => {
    const { id } = await createClient({ name: 'Before' })
    const first = (await OidcClient.findExact(id))!
    assert.strictEqual(await OidcClient.findExact(id), first)
    assert.throws(() => {
      first.name = 'Changed in memory'
    })
    assert.equal((await OidcClient.findExact(id))!.name, 'Before')

    await updateClient(id, { name: 'After' })
    const changed = (await OidcClient.findExact(id))!
    assert.notStrictEqual(changed, first)
    assert.equal(changed.name, 'After')
    assert.isNull(await OidcClient.findExact(id.toUpperCase()))
  })
})
