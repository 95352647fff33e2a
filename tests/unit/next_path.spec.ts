/**
 * The `next` parameter of the login page: only a path on this site is
 * followed after signing in; anything a browser could resolve to another
 * origin becomes `/`.
 */
import { test } from '@japa/runner'
import { safeNextPath } from '#services/accounts/next_path'

/** The values among `values` that safeNextPath keeps (everything else became `/`) */
function kept(values: unknown[]) {
  return values.filter((value) => safeNextPath(value) !== '/')
}

test.group('Login gate: safe next paths', () => {
  test('a path on this site is kept with its query and fragment', ({ assert }) => {
    for (const path of ['/x', '/accounts/grants/', '/x?y=1&z=%2F#top', '/a/b/c'])
      assert.equal(safeNextPath(path), path)
  })

  test('the authorization request of the login gate comes back unchanged', ({ assert }) => {
    const query = new URLSearchParams({
      client_id: 'abc',
      redirect_uri: 'https://rp.example/callback?tenant=a',
      response_type: 'code',
      scope: 'openid profile',
      state: 'é & =',
    })
    const next = `/identity/o/authorize?${query}`
    assert.equal(safeNextPath(next), next)
  })

  test('protocol-relative paths become /', ({ assert }) => {
    assert.deepEqual(kept(['//x', '//evil.example/path', '///evil.example']), [])
  })

  test('a backslash anywhere becomes /, since browsers read it as a slash', ({ assert }) => {
    assert.deepEqual(kept(['/\\x', '/\\/evil.example', '\\\\evil.example', '/a\\b']), [])
  })

  test('an encoded slash or backslash after the first slash becomes /', ({ assert }) => {
    assert.deepEqual(kept(['/%2f/x', '/%2F/x', '/%2fevil.example', '/%5cx', '/%5Cx']), [])
  })

  test('dot segments that resolve to a protocol-relative path become /', ({ assert }) => {
    assert.deepEqual(
      kept(['/.//x', '/./%2f/x', '/%2e%2e//x', '/%2E%2E//x', '/x/..//y', '/..//x', '/a/.%2e//x']),
      []
    )
  })

  test('dot segments that stay on this site resolve to their path', ({ assert }) => {
    assert.equal(safeNextPath('/a/../b'), '/b')
    assert.equal(safeNextPath('/a/./b?c'), '/a/b?c')
  })

  test('absolute URLs become /, even ones naming this site', ({ assert }) => {
    assert.deepEqual(
      kept([
        'https://evil.example/',
        'http://same.invalid/x',
        'javascript:alert(1)',
        'data:text/html,x',
        'x',
        'evil.example',
        '',
      ]),
      []
    )
  })

  test('control characters become /, including those a URL parser drops', ({ assert }) => {
    assert.deepEqual(
      kept(['/\t/evil.example', '/\n/evil.example', '/\r/x', '/x\u0000', '/x\u001f', '/x\ny']),
      []
    )
  })

  test('a value that is not a string becomes /', ({ assert }) => {
    assert.deepEqual(kept([undefined, null, 42, ['/x'], { path: '/x' }]), [])
  })
})
