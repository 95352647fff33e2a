import { pbkdf2Sync } from 'node:crypto'
import { test } from '@japa/runner'
import OidcClient from '#models/oidc_client'
import { hashClientSecret, NO_SECRET, secretMatches } from '#services/oidc/clients/secrets'
import { runCommand, runJson, runRefused } from './run_command.js'

/* Client ids of this run only: other suites share the database */
const RUN = Date.now().toString(36)

const CLIENT_KEYS = [
  'id',
  'secret',
  'name',
  'type',
  'scopes',
  'default_scopes',
  'grant_types',
  'response_types',
  'redirect_uris',
  'post_logout_redirect_uris',
  'backchannel_logout_uri',
  'cors_origins',
  'allow_uri_wildcards',
  'skip_consent',
  'require_mfa',
]

test.group('client:create', () => {
  test('a confidential client gets the defaults and a secret printed once, stored only as its hash', async ({
    assert,
  }) => {
    const printed = await runJson(assert, 'client:create', ['--name', 'Defaults RP'])
    assert.deepEqual(Object.keys(printed), CLIENT_KEYS)
    assert.match(printed.id, /^[0-9a-f]{32}$/)
    assert.deepInclude(printed, {
      name: 'Defaults RP',
      type: 'confidential',
      scopes: ['openid'],
      default_scopes: [],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      redirect_uris: [],
      post_logout_redirect_uris: [],
      backchannel_logout_uri: null,
      cors_origins: [],
      allow_uri_wildcards: false,
      skip_consent: false,
      require_mfa: false,
    })
    assert.lengthOf(printed.secret, 43)

    const row = await OidcClient.findOrFail(printed.id)
    assert.equal(row.secret, hashClientSecret(printed.secret))
    assert.notInclude(row.secret, printed.secret)
    assert.isTrue(await secretMatches(row.secret, printed.secret))

    const shown = await runJson(assert, 'client:show', [printed.id])
    assert.notProperty(shown, 'secret')
  })

  test('every field flag is stored, with response types word-sorted and lists as arrays', async ({
    assert,
  }) => {
    const printed = await runJson(assert, 'client:create', [
      '--name',
      'Full RP',
      '--type',
      'confidential',
      '--scopes',
      'openid profile email  offline_access',
      '--default-scopes',
      'openid email',
      '--grant-types',
      'authorization_code refresh_token client_credentials urn:ietf:params:oauth:grant-type:device_code',
      '--response-types',
      'code, id_token token,token id_token code , code',
      '--redirect-uris',
      'https://rp.example/cb com.example.app:/cb http://127.0.0.1:8080/cb http://localhost/cb http://[::1]/cb https://*.rp.example/cb',
      '--post-logout-redirect-uris',
      'https://rp.example/bye',
      '--cors-origins',
      'https://rp.example http://localhost:3000',
      '--backchannel-logout-uri',
      'https://rp.example/backchannel',
      '--allow-uri-wildcards',
      '--skip-consent',
    ])
    const expected = {
      name: 'Full RP',
      type: 'confidential',
      scopes: ['openid', 'profile', 'email', 'offline_access'],
      default_scopes: ['openid', 'email'],
      grant_types: [
        'authorization_code',
        'refresh_token',
        'client_credentials',
        'urn:ietf:params:oauth:grant-type:device_code',
      ],
      response_types: ['code', 'id_token token', 'code id_token token'],
      redirect_uris: [
        'https://rp.example/cb',
        'com.example.app:/cb',
        'http://127.0.0.1:8080/cb',
        'http://localhost/cb',
        'http://[::1]/cb',
        'https://*.rp.example/cb',
      ],
      post_logout_redirect_uris: ['https://rp.example/bye'],
      backchannel_logout_uri: 'https://rp.example/backchannel',
      cors_origins: ['https://rp.example', 'http://localhost:3000'],
      allow_uri_wildcards: true,
      skip_consent: true,
    }
    assert.deepInclude(printed, expected)

    const row = await OidcClient.findOrFail(printed.id)
    assert.deepInclude(row.serialize(), {
      name: expected.name,
      type: expected.type,
      scopes: expected.scopes,
      defaultScopes: expected.default_scopes,
      grantTypes: expected.grant_types,
      responseTypes: expected.response_types,
      redirectUris: expected.redirect_uris,
      postLogoutRedirectUris: expected.post_logout_redirect_uris,
      backchannelLogoutUri: expected.backchannel_logout_uri,
      corsOrigins: expected.cors_origins,
      allowUriWildcards: true,
      skipConsent: true,
    })
  })

  test('a public client stores no secret and prints none', async ({ assert }) => {
    const printed = await runJson(assert, 'client:create', [
      '--name',
      'SPA',
      '--type',
      'public',
      '--redirect-uris',
      'https://spa.example/cb',
    ])
    assert.notProperty(printed, 'secret')
    assert.equal(printed.type, 'public')
    assert.equal((await OidcClient.findOrFail(printed.id)).secret, NO_SECRET)
  })

  test('an allauth client keeps its id and PBKDF2 hash, which accepts its secret', async ({
    assert,
  }) => {
    const secret = 'allauth-secret-value'
    const derived = pbkdf2Sync(secret, 'saltsalt', 1000, 32, 'sha256').toString('base64')
    const pbkdf2Hash = `pbkdf2_sha256$1000$saltsalt$${derived}`
    const printed = await runJson(assert, 'client:create', [
      '--name',
      'From allauth',
      '--id',
      `allauth-client-1-${RUN}`,
      '--secret-hash',
      pbkdf2Hash,
    ])
    assert.equal(printed.id, `allauth-client-1-${RUN}`)
    assert.notProperty(printed, 'secret')

    const row = await OidcClient.findOrFail(`allauth-client-1-${RUN}`)
    assert.equal(row.secret, pbkdf2Hash)
    assert.isTrue(await secretMatches(row.secret, secret))
    assert.isFalse(await secretMatches(row.secret, 'wrong'))
  })

  test('a sha256$ hash is kept as given', async ({ assert }) => {
    const stored = hashClientSecret('moved-secret')
    const printed = await runJson(assert, 'client:create', [
      '--name',
      'Moved',
      '--id',
      `moved-sha256-${RUN}`,
      '--secret-hash',
      stored,
    ])
    assert.notProperty(printed, 'secret')
    assert.equal((await OidcClient.findOrFail(`moved-sha256-${RUN}`)).secret, stored)
  })

  test('the human form shows the secret once', async ({ assert }) => {
    const output = await runCommand('client:create', ['--name', 'Human RP'])
    assert.equal(output.exitCode, 0)
    assert.lengthOf(output.stdout, 1)
    assert.match(
      output.stdout[0],
      /^Created Human RP \(confidential\) id: [0-9a-f]{32}\n {2}secret: \S{43} /
    )
  })
})

async function clientCount() {
  return Number((await OidcClient.query().count('* as total').firstOrFail()).$extras.total)
}

test.group('client:create refuses bad input and writes nothing', () => {
  const cases: [string, string[], string][] = [
    ['no name', [], 'a client name is required'],
    ['a blank name', ['--name', '  '], 'a client name is required'],
    [
      'an unknown type',
      ['--name', 'X', '--type', 'private'],
      'unknown client type "private"; use confidential or public',
    ],
    [
      'an unknown grant type',
      ['--name', 'X', '--grant-types', 'authorization_code password'],
      'unknown grant type "password"',
    ],
    [
      'an unknown response type',
      ['--name', 'X', '--response-types', 'code,code code'],
      'unknown response type "code code"',
    ],
    [
      'a scope with a forbidden character',
      ['--name', 'X', '--scopes', 'openid pro"file'],
      'scope "pro\\"file" is not a valid scope token',
    ],
    [
      'default scopes outside the scopes',
      ['--name', 'X', '--scopes', 'openid', '--default-scopes', 'openid email'],
      'default scope "email" is not one of the client\'s scopes',
    ],
    [
      'client_credentials on a public client',
      ['--name', 'X', '--type', 'public', '--grant-types', 'client_credentials'],
      'the client_credentials grant requires a confidential client',
    ],
    [
      'an implicit type without redirect URI',
      ['--name', 'X', '--response-types', 'id_token token'],
      'implicit and hybrid response types require at least one redirect URI',
    ],
    [
      'a hybrid type without redirect URI',
      ['--name', 'X', '--response-types', 'code,code id_token'],
      'implicit and hybrid response types require at least one redirect URI',
    ],
    [
      'a relative redirect URI',
      ['--name', 'X', '--redirect-uris', '/callback'],
      'redirect URI "/callback" is not an absolute URI',
    ],
    [
      'a redirect URI with a fragment',
      ['--name', 'X', '--redirect-uris', 'https://rp.example/cb#top'],
      'redirect URI "https://rp.example/cb#top" must not contain a fragment',
    ],
    [
      'an http redirect URI on a public host',
      ['--name', 'X', '--redirect-uris', 'http://rp.example/cb'],
      'redirect URI "http://rp.example/cb" uses http, which is allowed only for loopback and localhost hosts',
    ],
    [
      'a javascript: redirect URI',
      ['--name', 'X', '--redirect-uris', 'javascript:alert(1)'],
      'redirect URI "javascript:alert(1)" uses a scheme that cannot receive a redirect',
    ],
    [
      'a wildcard without --allow-uri-wildcards',
      ['--name', 'X', '--redirect-uris', 'https://*.rp.example/cb'],
      "Wildcards are not allowed unless 'Allow URI wildcards' is enabled.",
    ],
    [
      'two wildcards',
      ['--name', 'X', '--allow-uri-wildcards', '--redirect-uris', 'https://*.*.rp.example/cb'],
      "URI 'https://*.*.rp.example/cb' contains more than one wildcard (*). Only one wildcard per URI is allowed.",
    ],
    [
      'a wildcard in the path',
      ['--name', 'X', '--allow-uri-wildcards', '--redirect-uris', 'https://rp.example/*'],
      'Wildcards are only allowed in the hostname portion of the URI.',
    ],
    [
      'a wildcard in the port',
      ['--name', 'X', '--allow-uri-wildcards', '--redirect-uris', 'https://rp.example:*/cb'],
      'Wildcards are only allowed in the hostname portion of the URI.',
    ],
    [
      'a wildcard in a CORS origin without the flag',
      ['--name', 'X', '--cors-origins', 'https://*.rp.example'],
      "Wildcards are not allowed unless 'Allow URI wildcards' is enabled.",
    ],
    [
      'a relative post-logout URI',
      ['--name', 'X', '--post-logout-redirect-uris', 'bye'],
      'post-logout redirect URI "bye" is not an absolute URI',
    ],
    [
      'an http post-logout URI on a public host',
      ['--name', 'X', '--post-logout-redirect-uris', 'http://rp.example/bye'],
      'post-logout redirect URI "http://rp.example/bye" uses http, which is allowed only for loopback and localhost hosts',
    ],
    [
      'a CORS origin that is not web',
      ['--name', 'X', '--cors-origins', 'com.example.app:/x'],
      'CORS origin "com.example.app:/x" must use https',
    ],
    [
      'an http CORS origin on a public host',
      ['--name', 'X', '--cors-origins', 'http://rp.example'],
      'CORS origin "http://rp.example" uses http, which is allowed only for loopback and localhost hosts',
    ],
    [
      'a relative back-channel logout URI',
      ['--name', 'X', '--backchannel-logout-uri', '/logout'],
      'back-channel logout URI "/logout" is not an absolute URI',
    ],
    [
      'a back-channel logout URI with a fragment',
      ['--name', 'X', '--backchannel-logout-uri', 'https://rp.example/logout#x'],
      'back-channel logout URI "https://rp.example/logout#x" must not contain a fragment',
    ],
    [
      'a malformed secret hash',
      ['--name', 'X', '--secret-hash', 'md5$abc'],
      'the secret hash must be sha256$<64 hex digits> or a Django password hash (pbkdf2_sha256$<iterations>$<salt>$<hash>, argon2$…, bcrypt_sha256$…, scrypt$…)',
    ],
    [
      'a secret hash for a public client',
      ['--name', 'X', '--type', 'public', '--secret-hash', hashClientSecret('s')],
      'a public client has no secret, so it takes no secret hash',
    ],
    [
      'an id with a space',
      ['--name', 'X', '--id', 'two words'],
      'a client id is 1 to 100 visible ASCII characters, without spaces',
    ],
  ]

  for (const [title, argv, message] of cases) {
    test(`refuses ${title}`, async ({ assert }) => {
      const before = await clientCount()
      assert.equal(await runRefused(assert, 'client:create', argv), message)
      assert.equal(await clientCount(), before)
    })
  }

  test('refuses an id that exists already', async ({ assert }) => {
    await runJson(assert, 'client:create', ['--name', 'First', '--id', `taken-id-${RUN}`])
    const before = await clientCount()
    assert.equal(
      await runRefused(assert, 'client:create', ['--name', 'Second', '--id', `taken-id-${RUN}`]),
      `a client with id "taken-id-${RUN}" exists already`
    )
    assert.equal(await clientCount(), before)
    assert.equal((await OidcClient.findOrFail(`taken-id-${RUN}`)).name, 'First')
  })
})
