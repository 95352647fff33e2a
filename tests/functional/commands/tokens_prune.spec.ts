import { createPublicKey } from 'node:crypto'
import { DateTime } from 'luxon'
import encryption from '@adonisjs/core/services/encryption'
import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { sqlTime } from '#models/columns'
import OidcToken from '#models/oidc_token'
import OidcAuthorizationCode from '#models/oidc_authorization_code'
import OidcDeviceCode from '#models/oidc_device_code'
import OidcConsent from '#models/oidc_consent'
import OidcSessionClient from '#models/oidc_session_client'
import OidcSigningKey from '#models/oidc_signing_key'
import keyStore from '#services/oidc/keys/key_store'
import { generatePrivateKey, thumbprint } from '#services/oidc/keys/signing_keys'
import { pruneExpired } from '#services/oidc/pruning'
import { randomValue, sha256Hex } from '#services/oidc/protocol/random'
import { createClient, createUser, tokenFields } from '#tests/helpers/factories'
import { runCommand, runJson } from './run_command.js'

const now = () => DateTime.utc()

function codeRow(
  clientId: string,
  userId: number,
  expiresAt: DateTime,
  consumedAt: DateTime | null = null
) {
  return {
    hash: sha256Hex(randomValue(16)),
    clientId,
    userId,
    familyId: randomValue(16),
    redirectUri: 'https://rp.example/cb',
    scopes: ['openid'],
    nonce: null,
    codeChallenge: null,
    codeChallengeMethod: null,
    claims: null,
    email: null,
    authTime: 0,
    sid: null,
    expiresAt,
    consumedAt,
  }
}

function deviceRow(clientId: string, expiresAt: DateTime) {
  return {
    deviceCodeHash: sha256Hex(randomValue(16)),
    userCode: randomValue(6).toUpperCase(),
    clientId,
    scopes: ['openid'],
    status: 'pending' as const,
    userId: null,
    authTime: null,
    interval: 5,
    lastPolledAt: null,
    expiresAt,
    decidedAt: null,
  }
}

/** A real ES256 key (so that a key store reload can read it) that signed until `retiredAt` */
async function retiredKey(retiredAt: DateTime) {
  const privateKey = generatePrivateKey('ES256')
  const publicKey = createPublicKey(privateKey)
  const kid = await thumbprint(publicKey)
  return OidcSigningKey.create({
    kid,
    alg: 'ES256',
    privateKey: encryption.encrypt(privateKey.export({ type: 'pkcs8', format: 'pem' }) as string),
    publicJwk: { ...publicKey.export({ format: 'jwk' }), kid, alg: 'ES256' },
    activeFrom: retiredAt.minus({ days: 1 }),
    retiredAt,
  })
}

test.group('tokens:prune', () => {
  test('deletes exactly what docs/data-model.md#pruning lists and keeps the rest', async ({
    assert,
  }) => {
    await pruneExpired()
    const { id: clientId } = await createClient()
    const { user } = await createUser()
    const { user: other } = await createUser()

    const doomedTokens = await OidcToken.createMany([
      tokenFields(clientId, user.id, { expiresAt: now().minus({ seconds: 5 }) }),
      tokenFields(clientId, user.id, { revokedAt: now().minus({ days: 1, minutes: 1 }) }),
      tokenFields(clientId, user.id, {
        type: 'rt',
        expiresAt: null,
        rotatedAt: now().minus({ days: 30, minutes: 1 }),
      }),
    ])
    const keptTokens = await OidcToken.createMany([
      tokenFields(clientId, user.id),
      tokenFields(clientId, user.id, { type: 'rt', expiresAt: null }),
      tokenFields(clientId, user.id, { revokedAt: now().minus({ hours: 23 }) }),
      tokenFields(clientId, user.id, {
        type: 'rt',
        expiresAt: null,
        rotatedAt: now().minus({ days: 29 }),
      }),
      tokenFields(clientId, user.id, { type: 'at', rotatedAt: now().minus({ days: 31 }) }),
    ])
    const doomedCode = await OidcAuthorizationCode.create(
      codeRow(clientId, user.id, now().minus({ days: 1, minutes: 1 }))
    )
    const keptCodes = await OidcAuthorizationCode.createMany([
      codeRow(clientId, user.id, now().minus({ hours: 23 }), now().minus({ hours: 23 })),
      codeRow(clientId, user.id, now().plus({ minutes: 1 }), now()),
    ])
    const doomedDevice = await OidcDeviceCode.create(
      deviceRow(clientId, now().minus({ days: 1, minutes: 1 }))
    )
    const keptDevice = await OidcDeviceCode.create(deviceRow(clientId, now().minus({ hours: 23 })))
    const doomedConsent = await OidcConsent.create({
      userId: user.id,
      clientId,
      scopes: ['openid'],
      email: null,
      expiresAt: now().minus({ seconds: 5 }),
    })
    const keptConsent = await OidcConsent.create({
      userId: other.id,
      clientId,
      scopes: ['openid'],
      email: null,
      expiresAt: now().plus({ days: 1 }),
    })
    const doomedSession = await OidcSessionClient.create({
      sid: randomValue(16),
      clientId,
      userId: user.id,
      createdAt: now().minus({ days: 30, minutes: 1 }),
    })
    const keptSession = await OidcSessionClient.create({
      sid: randomValue(16),
      clientId,
      userId: user.id,
      createdAt: now().minus({ days: 29 }),
    })
    await db.table('oidc_answered_consent_requests').multiInsert([
      { request_id: 'doomed', expires_at: sqlTime(now().minus({ seconds: 5 })) },
      { request_id: 'kept', expires_at: sqlTime(now().plus({ minutes: 5 })) },
    ])
    /* outbox rows given up 31 and 29 days ago: only the first goes */
    const givenUp = (days: number) => ({
      attempts: 3,
      next_attempt_at: sqlTime(now().minus({ days })),
      failed_at: sqlTime(now().minus({ days })),
      created_at: sqlTime(now().minus({ days })),
    })
    const mailRow = (days: number, recipient: string) => ({
      ...givenUp(days),
      recipient,
      subject: 'given up',
      text_body: '',
      html_body: '',
    })
    const noticeRow = (days: number, sid: string) => ({
      ...givenUp(days),
      client_id: clientId,
      backchannel_logout_uri: 'https://rp.example/backchannel',
      iss: 'https://idp.example',
      sub: String(user.id),
      sid,
    })
    await db
      .table('mail_outbox')
      .multiInsert([mailRow(31, 'doomed@prune.example'), mailRow(29, 'kept@prune.example')])
    await db
      .table('oidc_backchannel_outbox')
      .multiInsert([noticeRow(31, 'doomed-sid'), noticeRow(29, 'kept-sid')])
    await db.table('mfa_sign_in_stages').multiInsert(
      ['doomed', 'kept'].map((label, index) => ({
        digest: `${label}-${randomValue(8)}`,
        user_id: user.id,
        next: '/',
        methods: 'pwd',
        purpose: 'login',
        created_at: sqlTime(now().minus({ minutes: 20 })),
        expires_at: sqlTime(index ? now().plus({ minutes: 5 }) : now().minus({ minutes: 5 })),
      }))
    )
    await db.table('webauthn_challenges').multiInsert([
      {
        digest: 'a'.repeat(64),
        ceremony: 'passkey_login',
        expires_at: sqlTime(now().minus({ seconds: 5 })),
      },
      {
        digest: 'b'.repeat(64),
        ceremony: 'passkey_login',
        expires_at: sqlTime(now().plus({ minutes: 5 })),
      },
    ])
    const window = keyStore.retiredKeyWindowSeconds
    const closedKey = await retiredKey(now().minus({ seconds: window + 60 }))
    const openKey = await retiredKey(now().minus({ seconds: window - 60 }))

    /* the account tables have their own test (account_rows_prune.spec.ts): other files leave rows there */
    const accountRows = ['email_confirmations', 'password_reset_codes']
    const counts = Object.fromEntries(
      Object.entries(await runJson(assert, 'tokens:prune', [])).filter(
        ([what]) => !accountRows.includes(what)
      )
    )
    assert.deepEqual(counts, {
      tokens: 3,
      authorization_codes: 1,
      device_codes: 1,
      consents: 1,
      session_clients: 1,
      signing_keys: 1,
      answered_consent_requests: 1,
      user_sessions: 0,
      given_up_mails: 1,
      given_up_logout_notices: 1,
      audit_events: 0,
      pending_second_factors: 1,
      webauthn_challenges: 1,
    })
    assert.deepEqual(
      (await db.from('mail_outbox').where('recipient', 'like', '%@prune.example')).map(
        (row) => row.recipient
      ),
      ['kept@prune.example']
    )
    assert.deepEqual(
      (await db.from('oidc_backchannel_outbox').where('client_id', clientId)).map((row) => row.sid),
      ['kept-sid']
    )
    assert.deepEqual(
      (
        await db
          .from('webauthn_challenges')
          .whereIn('digest', ['a'.repeat(64), 'b'.repeat(64)])
          .select('digest')
      ).map((row) => row.digest),
      ['b'.repeat(64)]
    )

    const tokenIds = (
      await OidcToken.query().whereIn(
        'id',
        [...doomedTokens, ...keptTokens].map((t) => t.id)
      )
    ).map((t) => t.id)
    assert.sameMembers(
      tokenIds,
      keptTokens.map((t) => t.id)
    )
    const codeIds = (await OidcAuthorizationCode.query().where('client_id', clientId)).map(
      (c) => c.id
    )
    assert.sameMembers(
      codeIds,
      keptCodes.map((c) => c.id)
    )
    assert.notInclude(codeIds, doomedCode.id)
    assert.sameMembers(
      (await OidcDeviceCode.query().where('client_id', clientId)).map((d) => d.id),
      [keptDevice.id]
    )
    assert.notExists(await OidcDeviceCode.find(doomedDevice.id))
    assert.sameMembers(
      (await OidcConsent.query().where('client_id', clientId)).map((c) => c.id),
      [keptConsent.id]
    )
    assert.notExists(await OidcConsent.find(doomedConsent.id))
    assert.sameMembers(
      (await OidcSessionClient.query().where('client_id', clientId)).map((s) => s.id),
      [keptSession.id]
    )
    assert.notExists(await OidcSessionClient.find(doomedSession.id))
    assert.notExists(await OidcSigningKey.find(closedKey.id))
    assert.exists(await OidcSigningKey.find(openKey.id))
    assert.exists(
      await OidcSigningKey.query().where('alg', 'RS256').whereNull('retired_at').first(),
      'the signing key stays'
    )
    assert.deepEqual(
      (
        await db
          .from('oidc_answered_consent_requests')
          .whereIn('request_id', ['doomed', 'kept'])
          .select('request_id')
      ).map((row) => row.request_id),
      ['kept']
    )
    await openKey.delete()
  })

  test('deletes more than one batch of 1,000 and reports the total', async ({ assert }) => {
    await pruneExpired()
    const { id: clientId } = await createClient()
    const { user } = await createUser()
    // Multi-row inserts (SQLite takes at most 500 rows in one): 1,001 model saves take seconds on MySQL
    const expiredAt = sqlTime(now().minus({ minutes: 1 }))
    const rows = Array.from({ length: 1001 }, () => ({
      type: 'at',
      hash: sha256Hex(randomValue(16)),
      client_id: clientId,
      user_id: user.id,
      family_id: randomValue(16),
      scopes: 'openid',
      created_at: expiredAt,
      expires_at: expiredAt,
    }))
    for (let start = 0; start < rows.length; start += 250)
      await db.table('oidc_tokens').multiInsert(rows.slice(start, start + 250))
    const kept = await OidcToken.create(tokenFields(clientId, user.id))

    const output = await runCommand('tokens:prune', [])
    assert.equal(output.exitCode, 0)
    assert.lengthOf(output.stdout, 1)
    assert.match(
      output.stdout[0],
      /^Deleted 1001 tokens, 0 authorization codes, 0 device codes, 0 consents, 0 session clients, 0 signing keys, 0 answered consent requests, 0 user sessions, 0 given up mails, 0 given up logout notices(, \d+ [a-z ]+)+$/
    )
    assert.deepEqual(
      (await OidcToken.query().where('client_id', clientId)).map((t) => t.id),
      [kept.id]
    )
  })
})
