/**
 * Scope strings: split on single spaces, duplicates merged in first-seen
 * order, RFC 6749 §3.3 token syntax, the client's defaults when absent, and
 * never more than the client may ask for.
 */
import { test } from '@japa/runner'
import { InvalidScope } from '#services/oidc/protocol/errors'
import { joinScopes, resolveScopes, splitScope } from '#services/oidc/protocol/scopes'
import { buildClient } from '#tests/helpers/factories'
import { acceptedBy, thrown } from '#tests/helpers/thrown'
import { errorBody } from '#tests/helpers/oauth_errors'

/** The scope strings among `values` that splitScope accepts */
const accepted = (values: string[]) => acceptedBy(InvalidScope, values, splitScope)

test.group('Scopes: splitting a scope string', () => {
  test('single spaces separate the scopes, in the order given', ({ assert }) => {
    assert.deepEqual(splitScope('openid'), ['openid'])
    assert.deepEqual(splitScope('profile openid email'), ['profile', 'openid', 'email'])
  })

  test('a repeated scope is kept once, where it first appeared', ({ assert }) => {
    assert.deepEqual(splitScope('email openid email profile openid'), [
      'email',
      'openid',
      'profile',
    ])
  })

  test('scopes are case-sensitive: OpenID and openid are two scopes', ({ assert }) => {
    assert.deepEqual(splitScope('OpenID openid'), ['OpenID', 'openid'])
  })

  test('an empty token (double, leading or trailing space, or nothing) is invalid_scope', ({
    assert,
  }) => {
    assert.deepEqual(accepted(['openid  profile', ' openid', 'openid ', ' ', '']), [])
  })

  test('other whitespace does not separate scopes: invalid_scope', ({ assert }) => {
    assert.deepEqual(accepted(['openid\tprofile', 'openid\nprofile', 'openid\u00a0profile']), [])
  })

  test('a token is printable ASCII without space, " and \\', ({ assert }) => {
    assert.deepEqual(
      accepted([
        '!',
        '~',
        '#[]',
        'api:read',
        'https://api.example/scope',
        'a"b',
        'a\\b',
        'é',
        '\x7f',
      ]),
      ['!', '~', '#[]', 'api:read', 'https://api.example/scope']
    )
  })

  test("the error is invalid_scope with the code's default description", ({ assert }) => {
    assert.deepEqual(
      thrown(InvalidScope, () => splitScope('a  b')).toJSON(),
      errorBody('invalid_scope')
    )
  })
})

test.group('Scopes: what a client gets', () => {
  test("an absent scope means the client's default scopes", ({ assert }) => {
    const client = buildClient({
      scopes: ['openid', 'profile', 'email'],
      defaultScopes: ['openid', 'email'],
    })
    assert.deepEqual(resolveScopes(client, undefined), ['openid', 'email'])
    assert.deepEqual(
      resolveScopes(buildClient({ scopes: ['openid'], defaultScopes: [] }), undefined),
      []
    )
  })

  test("the requested scopes, when all are among the client's", ({ assert }) => {
    const client = buildClient({
      scopes: ['openid', 'profile', 'email'],
      defaultScopes: ['openid'],
    })
    assert.deepEqual(resolveScopes(client, 'email profile email'), ['email', 'profile'])
  })

  test("one scope outside the client's is invalid_scope for the whole request", ({ assert }) => {
    const client = buildClient({ scopes: ['openid', 'profile'], defaultScopes: [] })
    thrown(InvalidScope, () => resolveScopes(client, 'openid admin'))
    thrown(InvalidScope, () => resolveScopes(client, 'Openid'))
    thrown(InvalidScope, () => resolveScopes(client, 'openid  profile'))
    assert.deepEqual(resolveScopes(client, 'profile'), ['profile'])
  })

  test('scopes join with single spaces in a response', ({ assert }) => {
    assert.equal(joinScopes(['openid', 'profile', 'email']), 'openid profile email')
    assert.equal(joinScopes([]), '')
  })
})
