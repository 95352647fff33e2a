import { test } from '@japa/runner'
import { missingScopes, type ScopeExpression } from '#services/oidc/protocol/scope_expression'

const GRANTED = ['openid', 'profile']

test.group('Scope expressions (docs/tokens.md#protecting-your-own-api)', () => {
  test('undefined and [] accept any token, even one without scopes', ({ assert }) => {
    for (const expression of [undefined, []] as ScopeExpression[]) {
      assert.isNull(missingScopes(expression, 'GET', []))
      assert.isNull(missingScopes(expression, 'POST', GRANTED))
    }
  })

  test("'a' needs that scope", ({ assert }) => {
    assert.isNull(missingScopes('openid', 'GET', GRANTED))
    assert.deepEqual(missingScopes('email', 'GET', GRANTED), ['email'])
  })

  test("['a','b'] needs all of them", ({ assert }) => {
    assert.isNull(missingScopes(['openid', 'profile'], 'GET', GRANTED))
    assert.deepEqual(missingScopes(['openid', 'email'], 'GET', GRANTED), ['openid', 'email'])
    assert.deepEqual(missingScopes(['openid'], 'GET', []), ['openid'])
  })

  test("[['a','b'],['c']] needs any one inner list in full", ({ assert }) => {
    const expression: ScopeExpression = [['openid', 'email'], ['profile']]
    assert.isNull(missingScopes(expression, 'GET', GRANTED), 'the second list is granted')
    assert.isNull(
      missingScopes(expression, 'GET', ['openid', 'email']),
      'the first list is granted'
    )
    assert.deepEqual(
      missingScopes(expression, 'GET', ['openid']),
      ['openid', 'email'],
      'neither list in full; the first is named'
    )
  })

  test('an empty inner list is met by any token', ({ assert }) => {
    assert.isNull(missingScopes([[]], 'GET', []))
    assert.isNull(missingScopes([['admin'], []], 'GET', []))
  })

  test('{ METHOD: expr } chooses by method, case-insensitively', ({ assert }) => {
    const expression: ScopeExpression = {
      GET: 'profile',
      POST: [['email'], ['openid', 'profile']],
      DELETE: [],
    }
    assert.isNull(missingScopes(expression, 'GET', GRANTED))
    assert.isNull(missingScopes(expression, 'get', GRANTED))
    assert.deepEqual(missingScopes(expression, 'GET', ['openid']), ['profile'])
    assert.isNull(missingScopes(expression, 'POST', GRANTED))
    assert.deepEqual(missingScopes(expression, 'POST', ['profile']), ['email'])
    assert.isNull(missingScopes(expression, 'DELETE', []))
  })

  test('a method with no entry is refused, whatever the token holds (allauth: 500)', ({
    assert,
  }) => {
    assert.isNotNull(missingScopes({ GET: 'openid' }, 'PUT', GRANTED))
    assert.isNotNull(missingScopes({}, 'GET', GRANTED))
  })

  test('a method with no entry names no scope, since none would do', ({ assert }) => {
    assert.deepEqual(missingScopes({ GET: 'openid' }, 'PUT', GRANTED), [])
  })
})
