/**
 * The registration rules for a client's fields (checkClientFields): what is
 * refused, with which message, and how accepted values are stored
 * (trimmed, deduplicated, response types with sorted words).
 */
import { test } from '@japa/runner'
import {
  CLIENT_DEFAULTS,
  ClientRegistrationError,
  checkClientFields,
  type ClientFields,
} from '#services/oidc/clients/registration'
import { DEVICE_GRANT, REDIRECT } from '#tests/helpers/endpoints'
import { acceptedBy, thrown } from '#tests/helpers/thrown'
import { isAllowedOriginScheme } from '#services/oidc/protocol/redirect_uri'

function fields(overrides: Partial<ClientFields> = {}): ClientFields {
  return { name: 'Test RP', ...CLIENT_DEFAULTS, ...overrides }
}

/** The message a registration with these fields is refused with */
function refusal(overrides: Partial<ClientFields>) {
  return thrown(ClientRegistrationError, () => checkClientFields(fields(overrides))).message
}

/** The values among `values` that pass as the given field (one value at a time) */
function acceptedAs(
  field: 'redirectUris' | 'postLogoutRedirectUris' | 'corsOrigins',
  values: string[],
  allowUriWildcards = false
) {
  return acceptedBy(ClientRegistrationError, values, (value) =>
    checkClientFields(fields({ [field]: [value], allowUriWildcards }))
  )
}

test.group('Client registration: name and type', () => {
  test('the defaults make a valid confidential client, stored as given', ({ assert }) => {
    assert.deepEqual(checkClientFields(fields()), fields())
  })

  test('the name is trimmed, required, at most 100 characters, without control characters', ({
    assert,
  }) => {
    assert.equal(checkClientFields(fields({ name: '  My RP \t' })).name, 'My RP')
    assert.equal(checkClientFields(fields({ name: 'é'.repeat(100) })).name, 'é'.repeat(100))
    assert.equal(refusal({ name: '' }), 'a client name is required')
    assert.equal(refusal({ name: ' \n ' }), 'a client name is required')
    assert.equal(
      refusal({ name: 'x'.repeat(101) }),
      'the client name is longer than 100 characters'
    )
    for (const name of ['a\nb', 'a\u0000b', 'a\u007fb', 'a\tb'])
      assert.equal(refusal({ name }), 'the client name contains control characters', name)
  })

  test('the type is confidential or public', ({ assert }) => {
    assert.equal(checkClientFields(fields({ type: 'public' })).type, 'public')
    assert.equal(
      refusal({ type: 'Public' as ClientFields['type'] }),
      'unknown client type "Public"; use confidential or public'
    )
  })
})

test.group('Client registration: scopes', () => {
  test('scopes and default scopes are deduplicated in first-seen order', ({ assert }) => {
    const checked = checkClientFields(
      fields({ scopes: ['profile', 'openid', 'profile'], defaultScopes: ['openid', 'openid'] })
    )
    assert.deepEqual(checked.scopes, ['profile', 'openid'])
    assert.deepEqual(checked.defaultScopes, ['openid'])
  })

  test('a scope must be an RFC 6749 scope token', ({ assert }) => {
    assert.equal(refusal({ scopes: ['openid', 'a b'] }), 'scope "a b" is not a valid scope token')
    assert.equal(refusal({ scopes: [''] }), 'scope "" is not a valid scope token')
    assert.equal(refusal({ scopes: ['a"b'] }), 'scope "a\\"b" is not a valid scope token')
    assert.equal(refusal({ defaultScopes: ['é'] }), 'default scope "é" is not a valid scope token')
  })

  test("a default scope must be one of the client's scopes", ({ assert }) => {
    assert.equal(
      refusal({ scopes: ['openid'], defaultScopes: ['openid', 'email'] }),
      `default scope "email" is not one of the client's scopes`
    )
  })
})

test.group('Client registration: grant and response types', () => {
  test('the four grant types are known; the list is deduplicated', ({ assert }) => {
    const grantTypes = ['authorization_code', 'refresh_token', 'client_credentials', DEVICE_GRANT]
    assert.deepEqual(
      checkClientFields(fields({ grantTypes: [...grantTypes, 'refresh_token'] })).grantTypes,
      grantTypes
    )
    assert.equal(refusal({ grantTypes: ['password'] }), 'unknown grant type "password"')
    assert.equal(refusal({ grantTypes: ['implicit'] }), 'unknown grant type "implicit"')
  })

  test('client_credentials needs a confidential client', ({ assert }) => {
    assert.equal(
      refusal({ type: 'public', grantTypes: ['client_credentials'] }),
      'the client_credentials grant requires a confidential client'
    )
  })

  test('response types are stored with sorted words, deduplicated', ({ assert }) => {
    const checked = checkClientFields(
      fields({
        redirectUris: [REDIRECT],
        responseTypes: ['id_token code', ' code  id_token ', 'token id_token', 'code'],
      })
    )
    assert.deepEqual(checked.responseTypes, ['code id_token', 'id_token token', 'code'])
  })

  test('an unknown response type is refused as written', ({ assert }) => {
    assert.equal(refusal({ responseTypes: ['code code'] }), 'unknown response type "code code"')
    assert.equal(refusal({ responseTypes: ['none'] }), 'unknown response type "none"')
    assert.equal(refusal({ responseTypes: ['Code'] }), 'unknown response type "Code"')
  })

  test('implicit and hybrid response types need a redirect URI; code alone does not', ({
    assert,
  }) => {
    for (const type of ['token', 'id_token', 'code id_token']) {
      assert.equal(
        refusal({ responseTypes: ['code', type] }),
        'implicit and hybrid response types require at least one redirect URI',
        type
      )
    }
    assert.deepEqual(checkClientFields(fields({ responseTypes: ['code'] })).redirectUris, [])
  })
})

test.group('Client registration: redirect and post-logout URIs', () => {
  test('absolute https, loopback http and native-app schemes are accepted', ({ assert }) => {
    const accepted = [
      'https://rp.example/callback?tenant=a',
      'http://localhost:8080/callback',
      'http://127.0.0.1/callback',
      'http://127.5.6.7:9000/callback',
      'http://[::1]/callback',
      'com.example.app:/oauth/callback',
    ]
    assert.deepEqual(acceptedAs('redirectUris', accepted), accepted)
    assert.deepEqual(acceptedAs('postLogoutRedirectUris', accepted), accepted)
  })

  test('a relative URI is refused', ({ assert }) => {
    assert.equal(
      refusal({ redirectUris: ['/callback'] }),
      'redirect URI "/callback" is not an absolute URI'
    )
    assert.equal(
      refusal({ postLogoutRedirectUris: ['rp.example/bye'] }),
      'post-logout redirect URI "rp.example/bye" is not an absolute URI'
    )
  })

  test('a fragment is refused, even an empty one', ({ assert }) => {
    assert.equal(
      refusal({ redirectUris: ['https://rp.example/callback#'] }),
      'redirect URI "https://rp.example/callback#" must not contain a fragment'
    )
    assert.equal(
      refusal({ postLogoutRedirectUris: ['https://rp.example/bye#top'] }),
      'post-logout redirect URI "https://rp.example/bye#top" must not contain a fragment'
    )
  })

  test('schemes that run code or carry content are refused, in any case', ({ assert }) => {
    const unsafe = [
      'javascript:alert(1)',
      'JavaScript://x/%0aalert(1)',
      'data:text/html,x',
      'vbscript:x',
    ]
    assert.deepEqual(acceptedAs('redirectUris', unsafe), [])
    assert.deepEqual(acceptedAs('postLogoutRedirectUris', unsafe), [])
    assert.equal(
      refusal({ redirectUris: ['data:text/html,x'] }),
      'redirect URI "data:text/html,x" uses a scheme that cannot receive a redirect'
    )
  })

  test('http is refused for hosts other than loopback and localhost', ({ assert }) => {
    const remote = [
      'http://rp.example/callback',
      'http://app.localhost/callback',
      'http://10.0.0.1/cb',
    ]
    assert.deepEqual(acceptedAs('redirectUris', remote), [])
    assert.equal(
      refusal({ postLogoutRedirectUris: ['http://rp.example/bye'] }),
      'post-logout redirect URI "http://rp.example/bye" uses http, which is allowed only for loopback and localhost hosts'
    )
  })

  test('the lists are deduplicated, keeping their order', ({ assert }) => {
    const uris = ['https://rp.example/b', 'https://rp.example/a', 'https://rp.example/b']
    const checked = checkClientFields(fields({ redirectUris: uris, postLogoutRedirectUris: uris }))
    assert.deepEqual(checked.redirectUris, ['https://rp.example/b', 'https://rp.example/a'])
    assert.deepEqual(checked.postLogoutRedirectUris, [
      'https://rp.example/b',
      'https://rp.example/a',
    ])
  })
})

test.group('Client registration: wildcards', () => {
  test("a * needs 'Allow URI wildcards'", ({ assert }) => {
    const message = "Wildcards are not allowed unless 'Allow URI wildcards' is enabled."
    assert.equal(refusal({ redirectUris: ['https://*.example.com/callback'] }), message)
    assert.equal(refusal({ postLogoutRedirectUris: ['https://*.example.com/bye'] }), message)
    assert.equal(refusal({ corsOrigins: ['https://*.example.com'] }), message)
  })

  test('with the option, one * in the host is accepted in every URI list', ({ assert }) => {
    assert.deepEqual(
      checkClientFields(
        fields({
          allowUriWildcards: true,
          redirectUris: ['https://*.example.com/callback'],
          postLogoutRedirectUris: ['https://app-*.example.com/bye'],
          corsOrigins: ['https://*.example.com'],
        })
      ),
      fields({
        allowUriWildcards: true,
        redirectUris: ['https://*.example.com/callback'],
        postLogoutRedirectUris: ['https://app-*.example.com/bye'],
        corsOrigins: ['https://*.example.com'],
      })
    )
  })

  test('two wildcards in one URI are refused', ({ assert }) => {
    assert.equal(
      refusal({ allowUriWildcards: true, redirectUris: ['https://*.*.example.com/cb'] }),
      "URI 'https://*.*.example.com/cb' contains more than one wildcard (*). Only one wildcard per URI is allowed."
    )
  })

  test('a * outside the host is refused', ({ assert }) => {
    for (const uri of [
      'https://rp.example/*',
      'https://rp.example/cb?x=*',
      'https://*@rp.example/cb',
    ]) {
      assert.equal(
        refusal({ allowUriWildcards: true, redirectUris: [uri] }),
        'Wildcards are only allowed in the hostname portion of the URI.',
        uri
      )
    }
  })
})

test.group('Client registration: CORS origins and the back-channel logout URI', () => {
  test('a CORS origin is https, or http on localhost, *.localhost or loopback', ({ assert }) => {
    const origins = [
      'https://app.example',
      'http://localhost:3000',
      'http://app.localhost',
      'http://127.0.0.1:8080',
      'http://[::1]:8080',
      'http://app.example',
      'ftp://app.example',
      'com.example.app:/x',
    ]
    assert.deepEqual(acceptedAs('corsOrigins', origins), origins.slice(0, 5))
    assert.equal(
      refusal({ corsOrigins: ['ftp://app.example'] }),
      'CORS origin "ftp://app.example" must use https'
    )
    assert.equal(
      refusal({ corsOrigins: ['https://app.example/#x'] }),
      'CORS origin "https://app.example/#x" must not contain a fragment'
    )
  })

  test('every CORS origin registration accepts can be allowed at request time', ({ assert }) => {
    const local = [
      'http://127.0.0.2:3000',
      'http://127.1.2.3',
      'http://localhost:1',
      'http://a.localhost',
    ]
    for (const origin of acceptedAs('corsOrigins', local))
      assert.isTrue(isAllowedOriginScheme(origin), origin)
    assert.equal(
      refusal({ corsOrigins: ['http://127.0.0.2:3000'] }),
      'CORS origin "http://127.0.0.2:3000" uses http, which is allowed only for loopback and localhost hosts'
    )
  })

  test('redirect URIs, post-logout URIs and CORS origins carry no user name or password', ({
    assert,
  }) => {
    for (const field of ['redirectUris', 'postLogoutRedirectUris', 'corsOrigins'] as const)
      assert.deepEqual(
        acceptedAs(field, ['https://u:p@rp.example/cb', 'https://u@rp.example/cb']),
        [],
        field
      )
    assert.equal(
      refusal({ redirectUris: ['https://u:p@rp.example/cb'] }),
      'redirect URI "https://u:p@rp.example/cb" must not contain a user name or password'
    )
  })

  test('a wildcard host is written in ASCII letters, digits, dots and hyphens', ({ assert }) => {
    const hosts = [
      'https://*.bücher.example/cb',
      'https://*%2eexample.com/cb',
      'https://*.xn--bcher-kva.example/cb',
    ]
    assert.deepEqual(acceptedAs('redirectUris', hosts, true), [hosts[2]])
  })

  test('CORS origins are deduplicated', ({ assert }) => {
    assert.deepEqual(
      checkClientFields(fields({ corsOrigins: ['https://a.example', 'https://a.example'] }))
        .corsOrigins,
      ['https://a.example']
    )
  })

  test('the back-channel logout URI is https, or http on loopback', ({ assert }) => {
    for (const uri of ['https://rp.example/backchannel', 'http://127.0.0.1:9000/bc']) {
      assert.equal(
        checkClientFields(fields({ backchannelLogoutUri: uri })).backchannelLogoutUri,
        uri
      )
    }
    assert.equal(
      refusal({ backchannelLogoutUri: 'http://rp.example/bc' }),
      'back-channel logout URI "http://rp.example/bc" uses http, which is allowed only for loopback and localhost hosts'
    )
    assert.equal(
      refusal({ backchannelLogoutUri: 'com.example.app:/bc' }),
      'back-channel logout URI "com.example.app:/bc" must use https'
    )
    assert.equal(
      refusal({ backchannelLogoutUri: 'https://rp.example/bc#x' }),
      'back-channel logout URI "https://rp.example/bc#x" must not contain a fragment'
    )
  })

  test('the back-channel logout URI never takes a wildcard, even with the option', ({ assert }) => {
    assert.equal(
      refusal({ allowUriWildcards: true, backchannelLogoutUri: 'https://*.example.com/bc' }),
      "Wildcards are not allowed unless 'Allow URI wildcards' is enabled."
    )
  })

  test('the back-channel logout URI is at most 2000 characters; an empty one is none', ({
    assert,
  }) => {
    const base = 'https://rp.example/'
    const longest = base + 'a'.repeat(2000 - base.length)
    assert.equal(
      checkClientFields(fields({ backchannelLogoutUri: longest })).backchannelLogoutUri,
      longest
    )
    assert.equal(
      refusal({ backchannelLogoutUri: `${longest}a` }),
      'the back-channel logout URI is longer than 2000 characters'
    )
    assert.isNull(checkClientFields(fields({ backchannelLogoutUri: '' })).backchannelLogoutUri)
  })
})
