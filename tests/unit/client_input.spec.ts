/**
 * Client fields as people type them (clients/client_input.ts): the ace
 * commands' notation and the admin console's one value a line, read into the
 * values the registration rules check.
 */
import { test } from '@japa/runner'
import { readClientFields, typedClientFields } from '#services/oidc/clients/client_input'
import { CLIENT_DEFAULTS } from '#services/oidc/clients/registration'

test.group('Client fields as typed', () => {
  test('the command line splits lists on spaces, response types on commas', ({ assert }) => {
    const fields = readClientFields(
      {
        scopes: ' openid  profile ',
        responseTypes: 'code, id_token token',
        redirectUris: 'https://a.example/cb https://b.example/cb',
        backchannelLogoutUri: '  ',
      },
      'command line'
    )
    assert.deepEqual(fields.scopes, ['openid', 'profile'])
    assert.deepEqual(fields.responseTypes, ['code', 'id_token token'])
    assert.deepEqual(fields.redirectUris, ['https://a.example/cb', 'https://b.example/cb'])
    assert.isNull(fields.backchannelLogoutUri, 'blank removes it')
    assert.isUndefined(fields.grantTypes, 'a field not typed is not given')
  })

  test('the console takes one value a line, whatever the line ending', ({ assert }) => {
    const fields = readClientFields(
      { responseTypes: 'code\r\nid_token token\r\n\r\n', scopes: 'openid\rprofile\n email ' },
      'one per line'
    )
    assert.deepEqual(fields.responseTypes, ['code', 'id_token token'])
    assert.deepEqual(fields.scopes, ['openid', 'profile', 'email'])
  })

  test('a stored client reads back as the form shows it', ({ assert }) => {
    const typed = typedClientFields({ name: 'RP', ...CLIENT_DEFAULTS, scopes: ['openid', 'email'] })
    assert.equal(typed.scopes, 'openid\nemail')
    assert.deepEqual(readClientFields(typed, 'one per line').scopes, ['openid', 'email'])
  })
})
