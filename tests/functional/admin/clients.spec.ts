/**
 * Clients in the admin console: the form takes what client:create takes,
 * one value a line, and is checked by the same rules with the same messages;
 * a new secret is shown once; edits, deletion and revocation reach the rows.
 */
import { test } from '@japa/runner'
import { DateTime } from 'luxon'
import OidcClient from '#models/oidc_client'
import OidcToken from '#models/oidc_token'
import OidcConsent from '#models/oidc_consent'
import { secretMatches } from '#services/oidc/clients/secrets'
import { pageText } from '#tests/helpers/accounts'
import { consoleForm, createStaff, signedInAs } from '#tests/helpers/admin'
import type { Browser } from '#tests/helpers/browser'
import { createClient, createUser, tokenFields } from '#tests/helpers/factories'
import { runRefused } from '../commands/run_command.js'

const NEW = '/admin/clients/new/'

async function staffBrowser() {
  return signedInAs(await createStaff())
}

async function addClient(browser: Browser, values: Record<string, string | null>) {
  const page = await browser.get(NEW)
  return browser.submit(consoleForm(page, NEW), values)
}

const unescaped = (text: string) =>
  text
    .replace(/&quot;/g, '"')
    .replace(/&#x27;|&#39;/g, "'")
    .replace(/&amp;/g, '&')

const shown = (html: string, id: string) =>
  new RegExp(`<code id="${id}">([^<]+)</code>`).exec(html)?.[1]

test.group('Admin console: clients', () => {
  test('adding a confidential client stores every field and shows id and secret once', async ({
    assert,
  }) => {
    const browser = await staffBrowser()
    const page = await addClient(browser, {
      name: 'Console RP',
      type: 'confidential',
      scopes: 'openid\r\nprofile\r\n\r\nemail  ',
      default_scopes: 'openid',
      grant_types: 'authorization_code\nrefresh_token\nclient_credentials',
      response_types: 'code\nid_token code',
      redirect_uris: 'https://console.example/cb\nhttp://localhost:8080/cb',
      post_logout_redirect_uris: 'https://console.example/bye',
      cors_origins: 'https://console.example',
      backchannel_logout_uri: 'https://console.example/bc',
      skip_consent: '1',
    })
    assert.equal(page.status, 200)
    const id = shown(page.body, 'client-id')!
    const secret = shown(page.body, 'client-secret')!
    assert.isString(id)
    assert.lengthOf(secret, 43)
    const client = await OidcClient.findOrFail(id)
    assert.isTrue(await secretMatches(client.secret, secret))
    assert.notInclude(client.secret, secret)
    assert.deepInclude(client.serialize(), {
      name: 'Console RP',
      type: 'confidential',
      scopes: ['openid', 'profile', 'email'],
      defaultScopes: ['openid'],
      grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'],
      responseTypes: ['code', 'code id_token'],
      redirectUris: ['https://console.example/cb', 'http://localhost:8080/cb'],
      postLogoutRedirectUris: ['https://console.example/bye'],
      corsOrigins: ['https://console.example'],
      backchannelLogoutUri: 'https://console.example/bc',
      allowUriWildcards: false,
      skipConsent: true,
    })
    const again = await browser.get(`/admin/clients/${id}/`)
    assert.notInclude(again.body, secret, 'the client page never shows the secret')
    assert.notInclude(again.body, 'client-secret')
  })

  test('a public client gets no secret and its page opens after a notice', async ({ assert }) => {
    const browser = await staffBrowser()
    const added = await addClient(browser, {
      name: 'SPA',
      type: 'public',
      redirect_uris: 'https://spa.example/cb',
    })
    assert.equal(added.status, 303)
    const page = await browser.follow(added)
    assert.include(pageText(page.body), 'Added client SPA.')
    const client = await OidcClient.findByOrFail('name', 'SPA')
    assert.equal(client.secret, '!')
    assert.notInclude(page.body, 'client-secret')
  })

  for (const [title, values, command] of [
    [
      'a redirect URI over plain http',
      { redirect_uris: 'http://rp.example/cb' },
      ['--redirect-uris', 'http://rp.example/cb'],
    ],
    [
      'a default scope outside the scopes',
      { scopes: 'openid', default_scopes: 'email' },
      ['--scopes', 'openid', '--default-scopes', 'email'],
    ],
    [
      'client_credentials for a public client',
      { type: 'public', grant_types: 'client_credentials' },
      ['--type', 'public', '--grant-types', 'client_credentials'],
    ],
    [
      'an unknown response type',
      { response_types: 'code token_id' },
      ['--response-types', 'code token_id'],
    ],
  ] as const) {
    test(`refuses ${title} with the command's message, keeping what was typed`, async ({
      assert,
    }) => {
      const name = `Refused ${title}`
      const message = await runRefused(assert, 'client:create', ['--name', name, ...command])
      const browser = await staffBrowser()
      const page = await addClient(browser, { name, ...values })
      assert.equal(page.status, 200)
      assert.include(unescaped(pageText(page.body)), message)
      assert.include(page.body, `value="${name}"`)
      assert.isNull(await OidcClient.findBy('name', name), 'nothing was written')
    })
  }

  test('editing replaces every field; an unticked box turns its switch off', async ({ assert }) => {
    const rp = await createClient({ name: 'Before', skipConsent: true })
    const browser = await staffBrowser()
    const path = `/admin/clients/${rp.id}/edit/`
    const form = consoleForm(await browser.get(path), path)
    assert.deepInclude(form.fields, ['skip_consent', '1'])
    const saved = await browser.submit(form, {
      name: 'After',
      redirect_uris: 'https://after.example/cb\nhttps://after.example/cb2',
      skip_consent: null,
    })
    assert.equal(saved.status, 303)
    assert.include(pageText((await browser.follow(saved)).body), 'Saved client After.')
    const client = await OidcClient.findOrFail(rp.id)
    assert.equal(client.name, 'After')
    assert.deepEqual(client.redirectUris, ['https://after.example/cb', 'https://after.example/cb2'])
    assert.isFalse(client.skipConsent)
    assert.deepEqual(client.scopes, rp.client.scopes, 'fields left as shown stay as they were')
  })

  test('a client of another case, or none, is the 404 page', async ({ assert }) => {
    const rp = await createClient()
    const browser = await staffBrowser()
    assert.equal((await browser.get(`/admin/clients/${rp.id.toUpperCase()}/`)).status, 404)
    assert.equal((await browser.get('/admin/clients/no-such-client/edit/')).status, 404)
  })

  test('rotating a secret shows the new one once; the old one stops matching', async ({
    assert,
  }) => {
    const rp = await createClient()
    const browser = await staffBrowser()
    const path = `/admin/clients/${rp.id}/secret/`
    const page = await browser.submit(consoleForm(await browser.get(path), path))
    assert.equal(shown(page.body, 'client-id'), rp.id)
    const secret = shown(page.body, 'client-secret')!
    const client = await OidcClient.findOrFail(rp.id)
    assert.isTrue(await secretMatches(client.secret, secret))
    assert.isFalse(await secretMatches(client.secret, rp.secret!))
  })

  test('deleting asks first, then removes the client with its tokens', async ({ assert }) => {
    const rp = await createClient({ name: 'Doomed' })
    const person = await createUser()
    await OidcToken.create(tokenFields(rp.id, person.user.id))
    const browser = await staffBrowser()
    const path = `/admin/clients/${rp.id}/delete/`
    const ask = await browser.get(path)
    assert.include(pageText(ask.body), 'Delete Doomed?')
    assert.isNotNull(await OidcClient.find(rp.id), 'asking deletes nothing')
    const done = await browser.submit(consoleForm(ask, path))
    assert.equal(done.location, `${new URL(done.url).origin}/admin/clients/`)
    assert.isNull(await OidcClient.find(rp.id))
    assert.lengthOf(await OidcToken.query().where('client_id', rp.id), 0)
  })

  test('the list finds clients by part of the name or id, % taken literally', async ({
    assert,
  }) => {
    const tag = DateTime.utc().toMillis().toString(36)
    const plain = await createClient({ name: `Zebra ${tag} Notes` })
    const percent = await createClient({ name: `100% ${tag}` })
    const browser = await staffBrowser()
    const byName = await browser.get(`/admin/clients/?q=${encodeURIComponent(`zebra ${tag}`)}`)
    assert.include(byName.body, plain.id)
    assert.notInclude(byName.body, percent.id)
    const byId = await browser.get(`/admin/clients/?q=${plain.id.slice(2, 12).toUpperCase()}`)
    assert.include(byId.body, plain.id)
    const literal = await browser.get(`/admin/clients/?q=${encodeURIComponent(`0% ${tag}`)}`)
    assert.include(literal.body, percent.id)
    assert.notInclude(literal.body, plain.id)
  })

  test('the client page lists its live tokens and consents, and revokes them', async ({
    assert,
  }) => {
    const rp = await createClient()
    const person = await createUser()
    const live = await OidcToken.create(
      tokenFields(rp.id, person.user.id, { scopes: ['openid', 'email'] })
    )
    const expired = await OidcToken.create(
      tokenFields(rp.id, person.user.id, { expiresAt: DateTime.utc().minus({ minutes: 1 }) })
    )
    await OidcConsent.create({
      userId: person.user.id,
      clientId: rp.id,
      scopes: ['openid'],
      email: null,
      expiresAt: DateTime.utc().plus({ days: 1 }),
    })
    const browser = await staffBrowser()
    const path = `/admin/clients/${rp.id}/`
    const page = await browser.get(path)
    assert.include(page.body, 'openid email')
    assert.notInclude(page.body, live.hash, 'no token values or hashes')
    assert.include(page.body, `value="${live.id}"`)
    assert.notInclude(page.body, `value="${expired.id}"`)

    const tokenForm = page.body.match(
      /<form[^>]*>(?:(?!<\/form>)[\s\S])*name="token_id"[\s\S]*?<\/form>/
    )![0]
    const revoked = await browser.post(path, {
      _csrf: /name="_csrf" value="([^"]+)"/.exec(tokenForm)![1],
      token_id: String(live.id),
      action: 'revoke_token',
    })
    assert.equal(revoked.status, 303)
    assert.isNotNull((await OidcToken.findOrFail(live.id)).revokedAt)

    const again = await browser.get(path)
    const csrf = /name="_csrf" value="([^"]+)"/.exec(again.body)![1]
    await browser.post(path, {
      _csrf: csrf,
      user_id: String(person.user.id),
      action: 'revoke_consent',
    })
    assert.lengthOf(
      await OidcConsent.query().where('client_id', rp.id).where('user_id', person.user.id),
      0
    )
  })
})
