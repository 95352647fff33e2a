import { DateTime } from 'luxon'
import { test } from '@japa/runner'
import OidcClient from '#models/oidc_client'
import OidcToken from '#models/oidc_token'
import OidcConsent from '#models/oidc_consent'
import { hashClientSecret, NO_SECRET, secretMatches } from '#services/oidc/clients/secrets'
import { createClient, createUser, tokenFields } from '#tests/helpers/factories'
import { runCommand, runJson, runRefused } from './run_command.js'

test.group('client:list and client:show', () => {
  test('list prints every client as an array, show one client, neither a secret', async ({
    assert,
  }) => {
    const created = await runJson(assert, 'client:create', [
      '--name',
      'Listed RP',
      '--scopes',
      'openid email',
    ])
    const listed: any[] = await runJson(assert, 'client:list', [])
    const entry = listed.find((client) => client.id === created.id)
    const { secret, ...withoutSecret } = created
    assert.deepEqual(entry, withoutSecret)
    assert.isTrue(listed.every((client) => !('secret' in client)))
    assert.deepEqual(await runJson(assert, 'client:show', [created.id]), withoutSecret)
    assert.exists(secret)

    const human = await runCommand('client:list', [])
    assert.match(human.stdout[0], new RegExp(`^${created.id}  confidential  Listed RP$`, 'm'))
  })

  test('show refuses an unknown id', async ({ assert }) => {
    assert.equal(
      await runRefused(assert, 'client:show', ['no-such-client']),
      'no client with id "no-such-client"'
    )
  })
})

test.group('client:update', () => {
  test('changes only the given fields; empty lists and --no-* flags clear them', async ({
    assert,
  }) => {
    const created = await runJson(assert, 'client:create', [
      '--name',
      'Before',
      '--redirect-uris',
      'https://rp.example/cb',
      '--cors-origins',
      'https://rp.example',
      '--backchannel-logout-uri',
      'https://rp.example/bc',
      '--skip-consent',
      '--allow-uri-wildcards',
    ])
    const updated = await runJson(assert, 'client:update', [
      created.id,
      '--name',
      'After',
      '--scopes',
      'openid profile',
      '--default-scopes',
      'profile',
      '--grant-types',
      'authorization_code refresh_token',
      '--response-types',
      'code,id_token',
      '--post-logout-redirect-uris',
      'https://rp.example/bye',
      '--cors-origins',
      '',
      '--backchannel-logout-uri',
      '',
      '--no-skip-consent',
      '--no-allow-uri-wildcards',
    ])
    assert.notProperty(updated, 'secret')
    assert.deepInclude(updated, {
      id: created.id,
      name: 'After',
      type: 'confidential',
      scopes: ['openid', 'profile'],
      default_scopes: ['profile'],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code', 'id_token'],
      redirect_uris: ['https://rp.example/cb'],
      post_logout_redirect_uris: ['https://rp.example/bye'],
      cors_origins: [],
      backchannel_logout_uri: null,
      skip_consent: false,
      allow_uri_wildcards: false,
    })
    const row = await OidcClient.findOrFail(created.id)
    assert.deepEqual(row.corsOrigins, [])
    assert.isNull(row.backchannelLogoutUri)
    assert.isFalse(row.skipConsent)
    assert.deepEqual(row.responseTypes, ['code', 'id_token'])
    assert.equal(row.secret, hashClientSecret(created.secret), 'the secret is untouched')
  })

  test('making a client public drops its secret; making it confidential again needs a rotation', async ({
    assert,
  }) => {
    const created = await runJson(assert, 'client:create', ['--name', 'Switching'])
    await runJson(assert, 'client:update', [created.id, '--type', 'public'])
    assert.equal((await OidcClient.findOrFail(created.id)).secret, NO_SECRET)

    const human = await runCommand('client:update', [created.id, '--type', 'confidential'])
    assert.equal(human.exitCode, 0)
    assert.include(human.stdout[0], `run \`node ace client:rotate-secret ${created.id}\``)
    const row = await OidcClient.findOrFail(created.id)
    assert.equal(row.type, 'confidential')
    assert.equal(row.secret, NO_SECRET)
  })

  test('the merged client must pass every rule; a refused update writes nothing', async ({
    assert,
  }) => {
    const created = await runJson(assert, 'client:create', [
      '--name',
      'Strict',
      '--response-types',
      'code,id_token',
      '--redirect-uris',
      'https://rp.example/cb',
    ])
    const cases: [string[], string][] = [
      [
        ['--redirect-uris', ''],
        'implicit and hybrid response types require at least one redirect URI',
      ],
      [
        ['--type', 'public', '--grant-types', 'client_credentials'],
        'the client_credentials grant requires a confidential client',
      ],
      [['--scopes', 'profile'], 'default scope "openid" is not one of the client\'s scopes'],
      [
        ['--redirect-uris', 'https://*.rp.example/cb'],
        "Wildcards are not allowed unless 'Allow URI wildcards' is enabled.",
      ],
      [['--grant-types', 'implicit'], 'unknown grant type "implicit"'],
      [['--name', ''], 'a client name is required'],
    ]
    await runJson(assert, 'client:update', [created.id, '--default-scopes', 'openid'])
    const before = (await OidcClient.findOrFail(created.id)).serialize()
    for (const [argv, message] of cases) {
      assert.equal(await runRefused(assert, 'client:update', [created.id, ...argv]), message)
      assert.deepEqual((await OidcClient.findOrFail(created.id)).serialize(), before)
    }
  })

  test('refuses an unknown id', async ({ assert }) => {
    assert.equal(
      await runRefused(assert, 'client:update', ['no-such-client', '--name', 'X']),
      'no client with id "no-such-client"'
    )
  })
})

test.group('client:rotate-secret', () => {
  test('prints a new secret once; only its hash is stored and the old secret stops working', async ({
    assert,
  }) => {
    const created = await runJson(assert, 'client:create', ['--name', 'Rotating'])
    const rotated = await runJson(assert, 'client:rotate-secret', [created.id])
    assert.equal(rotated.id, created.id)
    assert.notEqual(rotated.secret, created.secret)
    const row = await OidcClient.findOrFail(created.id)
    assert.equal(row.secret, hashClientSecret(rotated.secret))
    assert.isTrue(await secretMatches(row.secret, rotated.secret))
    assert.isFalse(await secretMatches(row.secret, created.secret))
  })

  test('refuses a public client and an unknown id', async ({ assert }) => {
    const { id } = await createClient({ type: 'public' })
    assert.equal(
      await runRefused(assert, 'client:rotate-secret', [id]),
      `client "${id}" is public and has no secret`
    )
    assert.equal((await OidcClient.findOrFail(id)).secret, NO_SECRET)
    assert.equal(
      await runRefused(assert, 'client:rotate-secret', ['no-such-client']),
      'no client with id "no-such-client"'
    )
  })
})

test.group('client:delete', () => {
  test('deletes the client with its tokens and consents', async ({ assert }) => {
    const { id, client } = await createClient()
    const { user } = await createUser()
    const token = await OidcToken.create(tokenFields(id, user.id))
    const consent = await OidcConsent.create({
      userId: user.id,
      clientId: id,
      scopes: ['openid'],
      email: null,
      expiresAt: DateTime.utc().plus({ days: 1 }),
    })

    const deleted = await runJson(assert, 'client:delete', [id, '--force'])
    assert.equal(deleted.id, id)
    assert.equal(deleted.name, client.name)
    assert.isNull(await OidcClient.find(id))
    assert.isNull(await OidcToken.find(token.id))
    assert.isNull(await OidcConsent.find(consent.id))
  })

  test('refuses an unknown id', async ({ assert }) => {
    assert.equal(
      await runRefused(assert, 'client:delete', ['no-such-client']),
      'no client with id "no-such-client"'
    )
  })
})
