/**
 * The admin console is for signed-in, active staff only. Everyone else gets,
 * on every console route and method, exactly what an unknown path gives:
 * the same 404 page, no redirect, no session cookie, no CSRF error. Staff
 * pages are never cached or framed, every form carries the CSRF token, and
 * changes ask for a recent authentication.
 */
import { test } from '@japa/runner'
import type { Assert } from '@japa/assert'
import OidcClient from '#models/oidc_client'
import User from '#models/user'
import { Browser, readForm, type Page } from '#tests/helpers/browser'
import { createClient, createUser } from '#tests/helpers/factories'
import { useAccountSettings } from '#tests/helpers/accounts'
import { consoleRoutes, createStaff, signedInAs } from '#tests/helpers/admin'

const UNKNOWN = '/nothing-here/'

/** What a response tells, its date, request id and CSP nonce aside */
function shape(page: Page) {
  const headers = [...page.headers]
    .filter(
      ([name]) =>
        !['date', 'x-request-id', 'content-security-policy', 'content-length'].includes(name)
    )
    .map(([name, value]) => `${name}: ${name === 'set-cookie' ? 'set' : value}`)
  return { status: page.status, headers, body: page.body.replace(/nonce-[^']+/g, '') }
}

async function assertLikeUnknown(assert: Assert, browser: Browser, method: string, path: string) {
  const unknown = await browser.request(method, UNKNOWN, method === 'GET' ? undefined : {})
  const answer = await browser.request(method, path, method === 'GET' ? undefined : {})
  assert.equal(answer.status, 404, `${method} ${path}`)
  assert.deepEqual(shape(answer).headers, shape(unknown).headers, `${method} ${path}: headers`)
  assert.equal(shape(answer).body, shape(unknown).body, `${method} ${path}: body`)
}

async function fixtures() {
  const rp = await createClient({ name: 'Guarded RP' })
  const someone = await createUser()
  return { rp, someone, ids: { clientId: rp.id, userId: someone.user.id } }
}

test.group('Admin console: who may reach it', () => {
  test('a signed-out visitor gets the unknown-path 404 on every console route', async ({
    assert,
  }) => {
    const { rp, someone, ids } = await fixtures()
    const routes = consoleRoutes(ids)
    assert.isAtLeast(routes.length, 15)
    const visitor = new Browser()
    for (const route of routes) await assertLikeUnknown(assert, visitor, route.method, route.path)
    assert.equal(visitor.cookies.size, 0, 'no session cookie was set')
    for (const method of ['PUT', 'DELETE', 'PATCH'])
      await assertLikeUnknown(assert, visitor, method, '/admin/clients/')
    assert.isNotNull(await OidcClient.find(rp.id))
    assert.isTrue((await User.findOrFail(someone.user.id)).isActive)
  })

  test('a signed-in person who is not staff gets the same 404, even with a valid CSRF token', async ({
    assert,
  }) => {
    const { rp, someone, ids } = await fixtures()
    const person = await createUser()
    const browser = await signedInAs(person)
    const csrf = readForm(
      (await browser.get('/')).body,
      'form[action="/accounts/logout/"]'
    ).fields.find(([name]) => name === '_csrf')![1]
    for (const route of consoleRoutes(ids)) {
      await assertLikeUnknown(assert, browser, route.method, route.path)
      if (route.method === 'POST') {
        const posted = await browser.post(route.path, {
          _csrf: csrf,
          action: 'deactivate',
          name: 'Taken over',
          alg: 'ES256',
        })
        assert.equal(posted.status, 404, `POST ${route.path} with a CSRF token`)
      }
    }
    assert.equal((await OidcClient.findOrFail(rp.id)).name, 'Guarded RP')
    assert.isTrue((await User.findOrFail(someone.user.id)).isActive)
  })

  test('staff who were deactivated are signed out, and get the 404 too', async ({ assert }) => {
    const { ids } = await fixtures()
    const staff = await createStaff()
    const browser = await signedInAs(staff)
    assert.equal((await browser.get('/admin/')).status, 200)
    await User.query().where('id', staff.user.id).update({ is_active: false })
    for (const route of consoleRoutes(ids).filter(({ method }) => method === 'GET'))
      assert.equal((await browser.get(route.path)).status, 404, route.path)
  })

  test('staff pages are not cached or framed, and each form carries the CSRF token', async ({
    assert,
  }) => {
    const { ids } = await fixtures()
    const browser = await signedInAs(await createStaff())
    for (const route of consoleRoutes(ids).filter(({ method }) => method === 'GET')) {
      const page = await browser.get(route.path)
      assert.equal(page.status, 200, route.path)
      assert.equal(page.headers.get('cache-control'), 'no-store', route.path)
      assert.include(page.headers.get('content-security-policy') ?? '', "frame-ancestors 'none'")
      assert.equal(page.headers.get('x-frame-options'), 'DENY')
      const forms = [...page.body.matchAll(/<form\b[^>]*method="post"[\s\S]*?<\/form>/gi)]
      for (const [form] of forms) assert.include(form, 'name="_csrf"', `${route.path}: ${form}`)
    }
  })

  test('a console change without the CSRF token is refused and changes nothing', async ({
    assert,
  }) => {
    const { rp, someone } = await fixtures()
    const browser = await signedInAs(await createStaff())
    const refused = await browser.post(`/admin/clients/${rp.id}/delete/`, {})
    assert.equal(refused.status, 403)
    const deactivation = await browser.post(`/admin/users/${someone.user.id}/`, {
      action: 'deactivate',
    })
    assert.equal(deactivation.status, 403)
    assert.isNotNull(await OidcClient.find(rp.id))
    assert.isTrue((await User.findOrFail(someone.user.id)).isActive)
  })

  test('changes ask staff to reauthenticate first, and come back with next', async ({
    assert,
    cleanup,
  }) => {
    const { rp } = await fixtures()
    const browser = await signedInAs(await createStaff())
    const page = await browser.get(`/admin/clients/${rp.id}/delete/`)
    const form = readForm(page.body, `form[action="/admin/clients/${rp.id}/delete/"]`)
    useAccountSettings(cleanup, { reauthenticationTimeout: -1 })

    assert.equal(
      (await browser.get('/admin/clients/')).status,
      200,
      'reading needs no reauthentication'
    )
    const asked = await browser.submit(form)
    assert.equal(asked.status, 303)
    const next = encodeURIComponent(`/admin/clients/${rp.id}/delete/`)
    assert.equal(
      new URL(asked.location!).pathname + new URL(asked.location!).search,
      `/accounts/reauthenticate/?next=${next}`
    )
    assert.isNotNull(await OidcClient.find(rp.id), 'nothing was deleted')
    const addForm = await browser.get('/admin/clients/new/')
    assert.equal(addForm.status, 302)
    assert.include(
      addForm.location!,
      `/accounts/reauthenticate/?next=${encodeURIComponent('/admin/clients/new/')}`
    )
  })
})
