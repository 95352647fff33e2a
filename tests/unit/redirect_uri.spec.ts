/**
 * Redirect-URI, post-logout-URI and CORS-origin matching: WHATWG
 * serialisations compared exactly, the loopback-port and opt-in wildcard
 * exceptions, and origins compared without their path.
 */
import { test } from '@japa/runner'
import type { ClientFields } from '#services/oidc/clients/registration'
import {
  isAllowedOriginScheme,
  matchPostLogoutRedirectUri,
  matchRedirectUri,
  originMatches,
} from '#services/oidc/protocol/redirect_uri'
import { buildClient } from '#tests/helpers/factories'

type UriFields = Partial<
  Pick<ClientFields, 'redirectUris' | 'postLogoutRedirectUris' | 'allowUriWildcards'>
>

/** An unsaved client with no URIs but those given */
const clientWith = (fields: UriFields) => buildClient({ redirectUris: [], ...fields })

/** The requested URIs among `candidates` that match the client's redirect URIs */
function redirectMatches(fields: UriFields, candidates: string[]) {
  const client = clientWith(fields)
  return candidates.filter((uri) => matchRedirectUri(client, uri))
}

function logoutMatches(fields: UriFields, candidates: string[]) {
  const client = clientWith(fields)
  return candidates.filter((uri) => matchPostLogoutRedirectUri(client, uri))
}

test.group('Redirect URIs: exact match of WHATWG serialisations', () => {
  test('the registered URI matches itself', ({ assert }) => {
    const client = clientWith({ redirectUris: ['https://rp.example/callback'] })
    assert.isTrue(matchRedirectUri(client, 'https://rp.example/callback'))
  })

  test('any of several registered URIs matches', ({ assert }) => {
    const client = clientWith({
      redirectUris: ['https://rp.example/one', 'https://rp.example/two'],
    })
    assert.isTrue(matchRedirectUri(client, 'https://rp.example/two'))
    assert.isFalse(matchRedirectUri(client, 'https://rp.example/three'))
  })

  test('scheme and host compare without case, the default port is dropped', ({ assert }) => {
    assert.deepEqual(
      redirectMatches({ redirectUris: ['https://rp.example/callback'] }, [
        'HTTPS://RP.Example/callback',
        'https://rp.example:443/callback',
      ]),
      ['HTTPS://RP.Example/callback', 'https://rp.example:443/callback']
    )
  })

  test('path, port, scheme, userinfo and trailing slash must be exactly as registered', ({
    assert,
  }) => {
    assert.deepEqual(
      redirectMatches({ redirectUris: ['https://rp.example/callback'] }, [
        'https://rp.example/Callback',
        'https://rp.example/callback/',
        'https://rp.example/callback2',
        'https://rp.example/%63allback',
        'https://rp.example:8443/callback',
        'http://rp.example/callback',
        'https://user@rp.example/callback',
        'https://rp.example./callback',
        'https://sub.rp.example/callback',
      ]),
      []
    )
  })

  test('a relative or unparsable requested URI never matches', ({ assert }) => {
    assert.deepEqual(
      redirectMatches({ redirectUris: ['https://rp.example/callback'] }, [
        '/callback',
        '//rp.example/callback',
        'rp.example/callback',
        'https://',
        '',
      ]),
      []
    )
  })

  test('the query must be identical: none added, none removed, none changed', ({ assert }) => {
    const registered = 'https://rp.example/callback?tenant=a'
    assert.deepEqual(
      redirectMatches({ redirectUris: [registered] }, [
        registered,
        'https://rp.example/callback',
        'https://rp.example/callback?tenant=b',
        'https://rp.example/callback?tenant=a&extra=1',
        'https://rp.example/callback?extra=1&tenant=a',
      ]),
      [registered]
    )
    assert.deepEqual(
      redirectMatches({ redirectUris: ['https://rp.example/callback'] }, [
        'https://rp.example/callback?extra=1',
        'https://rp.example/callback?',
      ]),
      [],
      'extra query parameters do not match'
    )
  })

  test('a requested URI with a fragment never matches, even an empty one', ({ assert }) => {
    assert.deepEqual(
      redirectMatches({ redirectUris: ['https://rp.example/callback'] }, [
        'https://rp.example/callback#frag',
        'https://rp.example/callback#',
      ]),
      []
    )
    assert.isFalse(
      matchRedirectUri(
        clientWith({ redirectUris: ['https://rp.example/callback#frag'] }),
        'https://rp.example/callback#frag'
      ),
      'not even the fragment of a registered URI that carries one'
    )
  })

  test('a client without redirect URIs matches nothing', ({ assert }) => {
    assert.isFalse(matchRedirectUri(clientWith({}), 'https://rp.example/callback'))
  })

  test('a custom-scheme URI of a native app matches exactly', ({ assert }) => {
    assert.deepEqual(
      redirectMatches({ redirectUris: ['com.example.app:/oauth/callback'] }, [
        'com.example.app:/oauth/callback',
        'com.example.app:/oauth/other',
        'com.example.evil:/oauth/callback',
      ]),
      ['com.example.app:/oauth/callback']
    )
  })
})

test.group('Redirect URIs: any port on an http loopback IP', () => {
  test('http 127.0.0.1 and [::1] match on any port, the default one included', ({ assert }) => {
    assert.deepEqual(
      redirectMatches({ redirectUris: ['http://127.0.0.1/callback'] }, [
        'http://127.0.0.1/callback',
        'http://127.0.0.1:80/callback',
        'http://127.0.0.1:51234/callback',
      ]),
      [
        'http://127.0.0.1/callback',
        'http://127.0.0.1:80/callback',
        'http://127.0.0.1:51234/callback',
      ]
    )
    assert.deepEqual(
      redirectMatches({ redirectUris: ['http://[::1]:8080/callback'] }, [
        'http://[::1]:8080/callback',
        'http://[::1]:9999/callback',
        'http://[::1]/callback',
      ]),
      ['http://[::1]:8080/callback', 'http://[::1]:9999/callback', 'http://[::1]/callback']
    )
  })

  test('only the port is free: path, query, scheme and host stay exact', ({ assert }) => {
    assert.deepEqual(
      redirectMatches({ redirectUris: ['http://127.0.0.1/callback?app=1'] }, [
        'http://127.0.0.1:5000/other?app=1',
        'http://127.0.0.1:5000/callback',
        'http://127.0.0.1:5000/callback?app=2',
        'https://127.0.0.1:5000/callback?app=1',
        'http://127.0.0.2:5000/callback?app=1',
        'http://[::1]:5000/callback?app=1',
        'http://127.0.0.1:5000/callback?app=1#x',
      ]),
      []
    )
  })

  test('localhost is not a loopback IP: its port must match (compat)', ({ assert }) => {
    assert.deepEqual(
      redirectMatches({ redirectUris: ['http://localhost:8080/callback'] }, [
        'http://localhost:8080/callback',
        'http://localhost:9090/callback',
        'http://localhost/callback',
      ]),
      ['http://localhost:8080/callback']
    )
  })

  test('an https loopback URI keeps its port', ({ assert }) => {
    assert.deepEqual(
      redirectMatches({ redirectUris: ['https://127.0.0.1:8443/callback'] }, [
        'https://127.0.0.1:8443/callback',
        'https://127.0.0.1:9443/callback',
      ]),
      ['https://127.0.0.1:8443/callback']
    )
  })
})

test.group('Redirect URIs: wildcard hosts with allow_uri_wildcards', () => {
  const wildcard = 'https://*.example.com/callback'

  test('a * in the host matches one label of one or more characters', ({ assert }) => {
    assert.deepEqual(
      redirectMatches({ redirectUris: [wildcard], allowUriWildcards: true }, [
        'https://a.example.com/callback',
        'https://app-1.EXAMPLE.com/callback',
        'https://a.b.example.com/callback',
        'https://example.com/callback',
        'https://.example.com/callback',
        'https://evil-example.com/callback',
        'https://a.example.com.evil.test/callback',
        'https://a.example.com/other',
        'http://a.example.com/callback',
        'https://a.example.com:8443/callback',
        'https://a.example.com/callback#x',
      ]),
      ['https://a.example.com/callback', 'https://app-1.EXAMPLE.com/callback']
    )
  })

  test('a * inside a label stands for the rest of that label only', ({ assert }) => {
    assert.deepEqual(
      redirectMatches(
        { redirectUris: ['https://app-*.example.com:8443/cb'], allowUriWildcards: true },
        [
          'https://app-7.example.com:8443/cb',
          'https://app-.example.com:8443/cb',
          'https://app-7.x.example.com:8443/cb',
          'https://web-7.example.com:8443/cb',
          'https://app-7.example.com/cb',
        ]
      ),
      ['https://app-7.example.com:8443/cb']
    )
  })

  test('without allow_uri_wildcards a * host is literal', ({ assert }) => {
    assert.deepEqual(
      redirectMatches({ redirectUris: [wildcard] }, [
        'https://a.example.com/callback',
        'https://*.example.com/callback',
      ]),
      ['https://*.example.com/callback']
    )
  })

  test('a * outside the host is literal, even with allow_uri_wildcards', ({ assert }) => {
    assert.deepEqual(
      redirectMatches({ redirectUris: ['https://rp.example/*'], allowUriWildcards: true }, [
        'https://rp.example/callback',
        'https://rp.example/*',
      ]),
      ['https://rp.example/*']
    )
  })
})

test.group('Post-logout redirect URIs', () => {
  test('a registered list is matched with the redirect-URI rule', ({ assert }) => {
    const fields = {
      redirectUris: ['https://rp.example/callback'],
      postLogoutRedirectUris: ['https://rp.example/bye?from=idp'],
    }
    assert.deepEqual(
      logoutMatches(fields, [
        'https://rp.example/bye?from=idp',
        'HTTPS://RP.EXAMPLE:443/bye?from=idp',
        'https://rp.example/bye',
        'https://rp.example/bye?from=idp&x=1',
        'https://rp.example/bye?from=idp#top',
        'https://rp.example/callback',
        'https://rp.example/',
      ]),
      ['https://rp.example/bye?from=idp', 'HTTPS://RP.EXAMPLE:443/bye?from=idp']
    )
  })

  test('a registered list keeps the loopback and wildcard exceptions', ({ assert }) => {
    assert.deepEqual(
      logoutMatches({ postLogoutRedirectUris: ['http://127.0.0.1/bye'] }, [
        'http://127.0.0.1:4321/bye',
        'http://127.0.0.1:4321/other',
      ]),
      ['http://127.0.0.1:4321/bye']
    )
    assert.deepEqual(
      logoutMatches(
        { postLogoutRedirectUris: ['https://*.example.com/bye'], allowUriWildcards: true },
        ['https://a.example.com/bye', 'https://a.b.example.com/bye']
      ),
      ['https://a.example.com/bye']
    )
  })

  test('without a registered list, any URI on the origin of a redirect URI matches', ({
    assert,
  }) => {
    assert.deepEqual(
      logoutMatches({ redirectUris: ['https://rp.example/callback'] }, [
        'https://rp.example/',
        'https://rp.example/bye?x=1',
        'https://RP.example:443/anything#fragment',
        'http://rp.example/bye',
        'https://rp.example:8443/bye',
        'https://other.example/bye',
        'https://sub.rp.example/bye',
        'javascript:alert(1)',
        '/bye',
      ]),
      [
        'https://rp.example/',
        'https://rp.example/bye?x=1',
        'https://RP.example:443/anything#fragment',
      ]
    )
  })

  test('without a registered list, the origin compares its port: the loopback rule is for redirect URIs', ({
    assert,
  }) => {
    assert.deepEqual(
      logoutMatches({ redirectUris: ['http://127.0.0.1/callback'] }, [
        'http://127.0.0.1/bye',
        'http://127.0.0.1:5000/bye',
      ]),
      ['http://127.0.0.1/bye']
    )
  })

  test('without a registered list, a wildcard redirect host counts only with allow_uri_wildcards', ({
    assert,
  }) => {
    const redirectUris = ['https://*.example.com/callback']
    assert.deepEqual(
      logoutMatches({ redirectUris, allowUriWildcards: true }, [
        'https://a.example.com/bye',
        'https://a.b.example.com/bye',
      ]),
      ['https://a.example.com/bye']
    )
    assert.deepEqual(logoutMatches({ redirectUris }, ['https://a.example.com/bye']), [])
  })

  test('a client with neither list matches nothing', ({ assert }) => {
    assert.deepEqual(logoutMatches({}, ['https://rp.example/bye']), [])
  })
})

test.group('Wildcard hosts in punycode', () => {
  test('a punycode wildcard pattern matches the international name a browser sends', ({
    assert,
  }) => {
    const client = clientWith({
      redirectUris: ['https://*.xn--bcher-kva.example/cb'],
      allowUriWildcards: true,
    })
    assert.isTrue(matchRedirectUri(client, 'https://a.bücher.example/cb'))
    assert.isTrue(
      originMatches('https://*.xn--bcher-kva.example', 'https://a.bücher.example', true)
    )
  })
})

test.group('Post-logout URIs on a redirect URI origin', () => {
  test('a URI with userinfo never matches, though its origin does', ({ assert }) => {
    const fields = { redirectUris: ['https://rp.example/callback'] }
    assert.deepEqual(
      logoutMatches(fields, [
        'https://evil@rp.example/bye',
        'https://u:p@rp.example/bye',
        'https://rp.example/bye',
      ]),
      ['https://rp.example/bye']
    )
  })
})

test.group('CORS origins', () => {
  test('scheme, host and port must be equal; the registered path is ignored', ({ assert }) => {
    const registered = 'https://app.example/some/path'
    const matching = ['https://app.example', 'https://APP.example', 'https://app.example:443']
    const other = [
      'http://app.example',
      'https://app.example:8443',
      'https://api.app.example',
      'https://app.example.evil.test',
    ]
    assert.deepEqual(
      [...matching, ...other].filter((origin) => originMatches(registered, origin, false)),
      matching
    )
  })

  test('an origin with userinfo, or no origin at all, never matches', ({ assert }) => {
    for (const origin of ['https://user@app.example', 'https://u:p@app.example', 'null', '']) {
      assert.isFalse(originMatches('https://app.example', origin, false), origin)
    }
  })

  test('a wildcard host matches one label only with allow_uri_wildcards', ({ assert }) => {
    const registered = 'https://*.example.com'
    assert.isTrue(originMatches(registered, 'https://a.example.com', true))
    assert.isFalse(originMatches(registered, 'https://a.b.example.com', true))
    assert.isFalse(originMatches(registered, 'https://example.com', true))
    assert.isFalse(originMatches(registered, 'https://a.example.com:8443', true))
    assert.isFalse(originMatches(registered, 'https://a.example.com', false))
  })

  test('http origins are allowed only for localhost, *.localhost and the loopback IPs', ({
    assert,
  }) => {
    const allowed = [
      'https://app.example',
      'http://localhost:3000',
      'http://app.localhost',
      'http://127.0.0.1:8080',
      'http://[::1]:8080',
    ]
    const refused = [
      'http://app.example',
      'http://localhost.example',
      'http://127.0.0.2',
      'ftp://app.example',
      'null',
      'not a url',
    ]
    assert.deepEqual([...allowed, ...refused].filter(isAllowedOriginScheme), allowed)
  })
})
