import { test } from '@japa/runner'
import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import OidcToken from '#models/oidc_token'
import { sqlTime } from '#models/columns'
import { changeRows, selectRow } from '#database/statements'
import { findToken } from '#services/oidc/tokens/token_store'
import { createClient, createUser, tokenFields } from '#tests/helpers/factories'

/*
 * What each database driver hands back differs (PostgreSQL: BIGINT as text,
 * times in the session's zone); the app reads the same values on all three.
 * On PostgreSQL the test database's own zone is Asia/Kolkata
 * (tests/helpers/database.ts), so that UTC is never there by accident.
 */
const seconds = (time: DateTime) => Math.floor(time.toSeconds())

test.group('Values read back alike on every database', () => {
  test('BIGINT ids and counts are numbers, as the models declare them', async ({ assert }) => {
    const { id } = await createClient()
    const { user } = await createUser()
    const parent = await OidcToken.create(tokenFields(id, user.id, { type: 'rt' }))
    const child = await OidcToken.create(
      tokenFields(id, user.id, { type: 'rt', parentId: parent.id })
    )
    const resolved = await findToken('rt', child.hash)
    assert.isNumber(resolved!.token.id)
    assert.strictEqual(resolved!.token.parentId, parent.id)
    assert.isNumber((await OidcToken.findOrFail(child.id)).id)
    const [{ total }] = await db.from('oidc_tokens').where('client_id', id).count('* as total')
    assert.strictEqual(total, 2)
  })

  test('a time written as UTC text by hand-written SQL is the instant a model reads and compares', async ({
    assert,
  }) => {
    const { id } = await createClient()
    const { user } = await createUser()
    const expiresAt = DateTime.utc().plus({ hours: 1 }).startOf('second')
    const token = await OidcToken.create(tokenFields(id, user.id, { expiresAt }))
    const revokedAt = DateTime.utc().minus({ hours: 2 }).startOf('second')
    await changeRows('update oidc_tokens set revoked_at = ? where id = ?', [
      sqlTime(revokedAt),
      token.id,
    ])

    const stored = await OidcToken.findOrFail(token.id)
    assert.equal(seconds(stored.revokedAt!), seconds(revokedAt))
    assert.equal(seconds(stored.expiresAt!), seconds(expiresAt))
    /* a model-written time against UTC text, and a text-written one, each a second either side */
    const between = async (column: string, time: DateTime) =>
      selectRow(`select id from oidc_tokens where id = ? and ${column} > ? and ${column} < ?`, [
        token.id,
        sqlTime(time.minus({ seconds: 1 })),
        sqlTime(time.plus({ seconds: 1 })),
      ])
    assert.isNotNull(await between('expires_at', expiresAt))
    assert.isNotNull(await between('revoked_at', revokedAt))
  })
})
