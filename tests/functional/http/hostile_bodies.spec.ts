/**
 * A request must never stop the server. An authorization request sent by
 * POST is answered with a redirect to the GET form: its query is rebuilt from
 * the parsed, percent-encoded parameters of a form body, and a body of any
 * other type is refused. Tried against a real server process, since a crash
 * would otherwise take the test runner down with it.
 */
import type { AddressInfo } from 'node:net'
import { test } from '@japa/runner'
import { createHttpServer } from '#start/http_server'
import { startApp, type AppProcess } from '#tests/helpers/app_process'
import { createClient } from '#tests/helpers/factories'
import { AUTHORIZE, REDIRECT } from '#tests/helpers/endpoints'
import { errorBody } from '#tests/helpers/oauth_errors'

let server: AppProcess

async function post(body: string | Buffer, contentType: string) {
  const response = await fetch(`${server.url}${AUTHORIZE}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': contentType },
    body: typeof body === 'string' ? Buffer.from(body) : body,
    signal: AbortSignal.timeout(10_000),
  })
  return {
    status: response.status,
    location: response.headers.get('location'),
    type: response.headers.get('content-type') ?? '',
    body: await response.text(),
  }
}

/** The server still answers, so it did not exit */
async function assertAlive(assert: { equal(a: unknown, b: unknown, m?: string): void }) {
  const response = await fetch(`${server.url}/.well-known/openid-configuration`)
  assert.equal(response.status, 200, `the server died:\n${server.stderr()}`)
}

test.group('Hostile bodies at POST /identity/o/authorize', (group) => {
  group.setup(async () => {
    server = await startApp()
    return () => server.stop()
  })

  test('a text/plain body holding a non-Latin-1 or control character is refused with the error page, and the server lives', async ({
    assert,
  }) => {
    for (const body of ['state=☃', 'state=\u0001', 'state=a\r\nSet-Cookie: x=1', 'state=é']) {
      const page = await post(body, 'text/plain')
      assert.equal(page.status, 400, JSON.stringify(body))
      assert.isNull(page.location)
      assert.match(page.type, /^text\/html/)
      assert.include(page.body, '<code>invalid_request</code>')
      await assertAlive(assert)
    }
  })

  test('bodies of other types (JSON, multipart, binary) are refused the same way', async ({
    assert,
  }) => {
    for (const [body, type] of [
      ['{"state":"☃"}', 'application/json'],
      [
        '--b\r\nContent-Disposition: form-data; name="state"\r\n\r\n☃\r\n--b--\r\n',
        'multipart/form-data; boundary=b',
      ],
      [Buffer.from([0x73, 0x3d, 0xff, 0x00, 0x7f]), 'application/octet-stream'],
    ] as const) {
      const page = await post(body, type)
      assert.equal(page.status, 400, type)
      assert.include(page.body, '<code>invalid_request</code>')
    }
    await assertAlive(assert)
  })

  test('a form body with raw non-ASCII and control characters redirects with them percent-encoded', async ({
    assert,
  }) => {
    const rp = await createClient({ redirectUris: [REDIRECT] })
    const raw = `client_id=${rp.id}&redirect_uri=${encodeURIComponent(REDIRECT)}&state=☃\u0001x&nonce=a b`
    const page = await post(raw, 'application/x-www-form-urlencoded')
    assert.equal(page.status, 303)
    const location = new URL(page.location!, server.url)
    assert.equal(location.pathname, AUTHORIZE)
    assert.match(page.location!, /^[\x21-\x7e]+$/, 'the Location is plain ASCII')
    assert.deepEqual(Object.fromEntries(location.searchParams), {
      client_id: rp.id,
      redirect_uri: REDIRECT,
      state: '☃\u0001x',
      nonce: 'a b',
    })
    await assertAlive(assert)
  })

  test('a form body with a byte that is not UTF-8 or bad percent-encoding gets the error page', async ({
    assert,
  }) => {
    for (const body of [
      Buffer.from([0x73, 0x74, 0x61, 0x74, 0x65, 0x3d, 0xff]),
      'state=%E2%98',
      'state=%zz',
    ]) {
      const page = await post(body, 'application/x-www-form-urlencoded; charset=utf-8')
      assert.equal(page.status, 400)
      assert.include(page.body, '<code>invalid_request</code>')
    }
    await assertAlive(assert)
  })
})

test.group('An error while writing a response', () => {
  /**
   * The server of every entrypoint (start/http_server.ts) around a handler
   * that fails the way the framework does when Node refuses a header value.
   */
  async function serve(path: string) {
    const guarded = createHttpServer((_request, response) => {
      response.setHeader('Location', '/next?state=☃')
    })
    await new Promise<void>((resolve) => guarded.listen(0, '127.0.0.1', resolve))
    const { port } = guarded.address() as AddressInfo
    try {
      const response = await fetch(`http://127.0.0.1:${port}${path}`, { redirect: 'manual' })
      return { status: response.status, headers: response.headers, body: await response.text() }
    } finally {
      guarded.close()
    }
  }

  test('ends that response with a JSON server_error on API paths', async ({ assert }) => {
    const page = await serve('/identity/o/api/token')
    assert.equal(page.status, 500)
    assert.deepEqual(JSON.parse(page.body), errorBody('server_error'))
    assert.isNull(page.headers.get('location'))
    assert.equal(page.headers.get('cache-control'), 'no-store')
  })

  test('ends that response with the error page elsewhere', async ({ assert }) => {
    const page = await serve('/identity/o/authorize')
    assert.equal(page.status, 500)
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/)
    assert.include(page.body, '<code>server_error</code>')
    assert.equal(page.headers.get('x-frame-options'), 'DENY')
    assert.isNull(page.headers.get('location'))
  })
})
