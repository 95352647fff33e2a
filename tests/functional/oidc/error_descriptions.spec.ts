import { test } from '@japa/runner'
import type { Assert } from '@japa/assert'
import { createClient } from '#tests/helpers/factories'
import { basic, postForm, rawRequest, resetRateLimits } from '#tests/helpers/oauth_checks'
import {
  DEVICE_CODE,
  DEVICE_GRANT,
  INTROSPECT,
  REVOKE,
  TOKEN,
  USERINFO,
} from '#tests/helpers/endpoints'
import { codeFlow } from '#tests/helpers/tokens'
import type { Page } from '#tests/helpers/browser'

/** An OAuth JSON error that explains itself: `error` and a non-empty `error_description` */
function assertDescribed(assert: Assert, page: Page, expected: { status: number; error: string }) {
  const where = `${page.url} → ${page.status} ${page.body}`
  assert.equal(page.status, expected.status, where)
  assert.match(page.headers.get('content-type') ?? '', /^application\/json/, where)
  const body = JSON.parse(page.body)
  assert.equal(body.error, expected.error, where)
  assert.isString(body.error_description, where)
  assert.isAbove(body.error_description.length, 10, where)
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` })

/*
 * Every JSON error the API endpoints give, one request each: the framework's
 * (404, 405, bodies), client authentication, each grant, the device
 * endpoints, revocation, introspection, userinfo and the example API.
 */
test.group('Every OAuth JSON error has an error_description', (group) => {
  group.each.setup(() => resetRateLimits())

  test('token endpoint', async ({ assert }) => {
    const rp = await createClient({ grantTypes: ['authorization_code', 'refresh_token'] })
    const auth = { authorization: basic(rp.id, rp.secret!) }
    const cases: [Promise<Page>, number, string][] = [
      [postForm(TOKEN, {}, auth), 400, 'unsupported_grant_type'],
      [postForm(TOKEN, { grant_type: 'foo' }, auth), 400, 'unsupported_grant_type'],
      [postForm(TOKEN, { grant_type: 'password' }, auth), 400, 'invalid_grant'],
      [postForm(TOKEN, { grant_type: 'authorization_code' }, auth), 400, 'invalid_request'],
      [
        postForm(
          TOKEN,
          {
            grant_type: 'authorization_code',
            code: 'nope',
            redirect_uri: 'https://rp.example/callback',
          },
          auth
        ),
        400,
        'invalid_grant',
      ],
      [
        postForm(TOKEN, { grant_type: 'refresh_token', refresh_token: 'nope' }, auth),
        400,
        'invalid_grant',
      ],
      [postForm(TOKEN, { grant_type: 'client_credentials' }, auth), 400, 'unauthorized_client'],
      [postForm(TOKEN, { grant_type: 'refresh_token', refresh_token: 'x' }), 401, 'invalid_client'],
      [
        postForm(
          TOKEN,
          { grant_type: 'refresh_token', refresh_token: 'x' },
          {
            authorization: basic(rp.id, 'wrong secret'),
          }
        ),
        401,
        'invalid_client',
      ],
      [
        rawRequest('POST', TOKEN, '{"grant_type":"refresh_token"}', {
          'content-type': 'application/json',
        }),
        400,
        'invalid_request',
      ],
      [
        postForm(TOKEN, `grant_type=client_credentials&grant_type=client_credentials`, auth),
        400,
        'invalid_request',
      ],
    ]
    for (const [request, status, error] of cases)
      assertDescribed(assert, await request, { status, error })
  })

  test('token endpoint: scopes and the device grant', async ({ assert }) => {
    const machine = await createClient({ grantTypes: ['client_credentials'], scopes: ['api'] })
    assertDescribed(
      assert,
      await postForm(
        TOKEN,
        { grant_type: 'client_credentials', scope: 'other' },
        { authorization: basic(machine.id, machine.secret!) }
      ),
      { status: 400, error: 'invalid_scope' }
    )

    const device = await createClient({ type: 'public', grantTypes: [DEVICE_GRANT] })
    assertDescribed(
      assert,
      await postForm(TOKEN, { grant_type: DEVICE_GRANT, client_id: device.id }),
      {
        status: 400,
        error: 'invalid_request',
      }
    )
    const issued = JSON.parse(
      (await postForm(DEVICE_CODE, { client_id: device.id, scope: 'openid' })).body
    )
    const poll = () =>
      postForm(TOKEN, {
        grant_type: DEVICE_GRANT,
        client_id: device.id,
        device_code: issued.device_code,
      })
    assertDescribed(assert, await poll(), { status: 400, error: 'authorization_pending' })
    assertDescribed(assert, await poll(), { status: 400, error: 'slow_down' })
  })

  test('device authorization endpoint', async ({ assert }) => {
    const device = await createClient({
      type: 'public',
      grantTypes: [DEVICE_GRANT],
      scopes: ['openid'],
    })
    const other = await createClient({ type: 'public', grantTypes: ['authorization_code'] })
    const cases: [Record<string, string>, string][] = [
      [{}, 'invalid_request'],
      [{ client_id: 'unknown' }, 'invalid_request'],
      [{ client_id: device.id, scope: 'openid email' }, 'invalid_scope'],
      [{ client_id: other.id, scope: 'openid' }, 'unauthorized_client'],
    ]
    for (const [fields, error] of cases) {
      assertDescribed(assert, await postForm(DEVICE_CODE, fields), { status: 400, error })
    }
  })

  test('revocation and introspection', async ({ assert }) => {
    const rp = await createClient()
    const publicRp = await createClient({ type: 'public' })
    const auth = { authorization: basic(rp.id, rp.secret!) }
    assertDescribed(assert, await postForm(REVOKE, {}, auth), {
      status: 400,
      error: 'invalid_request',
    })
    assertDescribed(assert, await postForm(REVOKE, { token: 'x' }), {
      status: 401,
      error: 'invalid_client',
    })
    assertDescribed(assert, await postForm(INTROSPECT, {}, auth), {
      status: 400,
      error: 'invalid_request',
    })
    assertDescribed(assert, await postForm(INTROSPECT, { token: 'x', client_id: publicRp.id }), {
      status: 401,
      error: 'invalid_client',
    })
  })

  test('userinfo and the example API', async ({ assert }) => {
    const { tokens } = await codeFlow({ scope: 'profile' })
    for (const path of [USERINFO, '/api/me']) {
      assertDescribed(assert, await rawRequest('GET', path), {
        status: 401,
        error: 'invalid_token',
      })
      assertDescribed(assert, await rawRequest('GET', path, undefined, bearer('nope')), {
        status: 401,
        error: 'invalid_token',
      })
      assertDescribed(
        assert,
        await rawRequest('GET', path, undefined, bearer(tokens.access_token)),
        {
          status: 403,
          error: 'insufficient_scope',
        }
      )
    }
  })

  test('the framework: unknown path, wrong method, unreadable or oversized body', async ({
    assert,
  }) => {
    assertDescribed(assert, await rawRequest('GET', '/identity/o/api/nothing'), {
      status: 404,
      error: 'not_found',
    })
    assertDescribed(assert, await rawRequest('GET', TOKEN), {
      status: 405,
      error: 'invalid_request',
    })
    assertDescribed(
      assert,
      await rawRequest('POST', TOKEN, 'x'.repeat(70_000), {
        'content-type': 'application/x-www-form-urlencoded',
      }),
      { status: 413, error: 'invalid_request' }
    )
  })
})
