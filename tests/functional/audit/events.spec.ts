import { test } from '@japa/runner'
import type { Assert } from '@japa/assert'
import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import AuditEvent from '#models/audit_event'
import OidcSigningKey from '#models/oidc_signing_key'
import keyStore from '#services/oidc/keys/key_store'
import oidcConfig from '#config/oidc'
import observabilityConfig from '#config/observability'
import { parseRateRules } from '#start/settings'
import { AUDIT_EVENT_TYPES } from '#services/audit/event_types'
import { Browser, readForm } from '#tests/helpers/browser'
import { createClient, createUser, type TestClient, type TestUser } from '#tests/helpers/factories'
import { authorizeInBrowser } from '#tests/helpers/relying_party'
import {
  authorizeUrl,
  basic,
  issueCode,
  pkcePair,
  postForm,
  redeemCode,
  resetRateLimits,
  signedIn,
} from '#tests/helpers/oauth_checks'
import { REDIRECT, TOKEN } from '#tests/helpers/endpoints'
import { useSettings } from '#tests/helpers/tokens'
import { useAccountRateLimits } from '#tests/helpers/accounts'
import { until } from '#tests/helpers/until'
import { createAllauthSource } from '#tests/helpers/allauth_source'
import { runCommand, runJson, runRefused } from '#tests/functional/commands/run_command'
import { runAce } from '#tests/helpers/ace_process'
import type { ListedEvent } from '#services/audit/list_events'
import { consoleForm, createStaff, signedInAs } from '#tests/helpers/admin'

/* Every type a test below saw come from a real flow; the last test checks none is missing */
const seen = new Set<string>()

async function listEvents(assert: Assert, argv: string[]): Promise<ListedEvent[]> {
  const events: ListedEvent[] = await runJson(assert, 'events:list', argv)
  for (const event of events) seen.add(event.type)
  return events
}

/** The events of one user, newest first, as `events:list --user` shows them */
const eventsOfUser = (assert: Assert, person: TestUser) =>
  listEvents(assert, ['--user', person.email])

/** The one event of a type for a client, once written (token events are written after the response) */
async function oneEvent(assert: Assert, type: string, client: TestClient, extra: string[] = []) {
  const events = await until(async () => {
    const found = await listEvents(assert, ['--client', client.id, '--type', type, ...extra])
    return found.length > 0 && found
  })
  assert.lengthOf(events, 1)
  return events[0]
}

const tokenRequest = (fields: Record<string, string>, headers: Record<string, string> = {}) =>
  postForm(TOKEN, fields, headers)

async function signOutOf(browser: Browser) {
  const home = await browser.get('/')
  return browser.submit(readForm(home.body, 'form[action="/accounts/logout/"]'))
}

test.group('Audit events from the sign-in pages', (group) => {
  group.each.setup(() => resetRateLimits())

  test('a failed and a successful password sign-in, then a sign-out, each with who and how', async ({
    assert,
  }) => {
    const person = await createUser()
    const browser = new Browser()
    await browser.signIn(person.email, 'not-the-password')
    await browser.signIn(person.email, person.password)
    assert.equal((await signOutOf(browser)).status, 303)

    const events = await eventsOfUser(assert, person)
    assert.deepEqual(
      events.map(({ type, user_id, ip, data }) => ({ type, user_id, ip, data })),
      [
        {
          type: 'sign_out',
          user_id: person.user.id,
          ip: '127.0.0.1',
          data: { via: 'logout_page' },
        },
        {
          type: 'sign_in.succeeded',
          user_id: person.user.id,
          ip: '127.0.0.1',
          data: { method: 'password' },
        },
        {
          type: 'sign_in.failed',
          user_id: person.user.id,
          ip: '127.0.0.1',
          data: { method: 'password', reason: 'bad_credentials' },
        },
      ]
    )
    assert.match(events[0].occurred_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
    assert.isNull(events[0].actor)
    /* the same events by user id */
    assert.deepEqual(await listEvents(assert, ['--user', String(person.user.id)]), events)
  })

  test('a sign-in refused by the per-account limit records the failure and the limit trip', async ({
    assert,
    cleanup,
  }) => {
    useAccountRateLimits(cleanup, { login_failed: '1/300s/key' })
    const person = await createUser()
    const browser = new Browser()
    await browser.signIn(person.email, 'wrong-once')
    const refused = await browser.signIn(person.email, 'wrong-twice')
    assert.equal(refused.status, 429)

    const [failed, tripped] = await eventsOfUser(assert, person)
    assert.deepInclude(failed, {
      type: 'sign_in.failed',
      data: { method: 'password', reason: 'rate_limited' },
    })
    assert.deepInclude(tripped, {
      type: 'rate_limit.tripped',
      user_id: person.user.id,
      ip: '127.0.0.1',
      data: { action: 'login_failed', rule: '1/300s/key' },
    })
  })

  test('RP-initiated logout records a sign-out through the client', async ({ assert }) => {
    const { person, browser } = await signedIn()
    const ask = await browser.get('/identity/o/logout')
    await browser.submit(readForm(ask.body, 'form[action="/identity/o/logout"]'), {
      action: 'logout',
    })
    const [signOut] = await eventsOfUser(assert, person)
    assert.deepInclude(signOut, { type: 'sign_out', client_id: null, data: { via: 'rp_logout' } })
  })
})

test.group('Audit events of consents and tokens', (group) => {
  group.each.setup(() => resetRateLimits())

  test('consent given on the consent page and revoked on the grants page', async ({ assert }) => {
    const person = await createUser()
    const rp = await createClient({ redirectUris: [REDIRECT] })
    const browser = new Browser()
    const { challenge } = pkcePair()
    await authorizeInBrowser(
      browser,
      authorizeUrl({
        client_id: rp.id,
        response_type: 'code',
        scope: 'openid email',
        redirect_uri: REDIRECT,
        code_challenge: challenge,
        code_challenge_method: 'S256',
      }),
      person
    )
    const given = await oneEvent(assert, 'consent.given', rp)
    assert.deepInclude(given, { user_id: person.user.id, data: { scopes: ['openid', 'email'] } })

    const grants = await browser.get('/accounts/grants/')
    await browser.submit(readForm(grants.body, 'form[action="/accounts/grants/"]'), {
      action: 'revoke',
    })
    const revoked = await oneEvent(assert, 'consent.revoked', rp)
    assert.deepInclude(revoked, { user_id: person.user.id, ip: '127.0.0.1', data: null })
  })

  test('tokens issued by the code, refresh and client credentials grants name the grant and client', async ({
    assert,
  }) => {
    const { rp, code, verifier } = await issueCode({
      rp: await createClient({
        redirectUris: [REDIRECT],
        skipConsent: true,
        grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'],
        scopes: ['openid', 'email', 'api'],
      }),
    })
    const issued = await redeemCode(rp, code, verifier)
    const byCode = await oneEvent(assert, 'tokens.issued', rp)
    assert.deepInclude(byCode.data, {
      grant_type: 'authorization_code',
      tokens: ['access_token', 'refresh_token', 'id_token'],
      scopes: ['openid', 'email'],
    })
    assert.isNumber(byCode.user_id)

    const credentials = { client_id: rp.id, client_secret: rp.secret! }
    const refreshed = await tokenRequest({
      grant_type: 'refresh_token',
      refresh_token: issued.refresh_token!,
      ...credentials,
    })
    assert.equal(refreshed.status, 200)
    const cc = await tokenRequest({
      grant_type: 'client_credentials',
      scope: 'api',
      ...credentials,
    })
    assert.equal(cc.status, 200)

    const events = await until(async () => {
      const found = await listEvents(assert, ['--client', rp.id, '--type', 'tokens.issued'])
      return found.length === 3 && found
    })
    const grants = events.map((event) => event.data!.grant_type).sort()
    assert.deepEqual(grants, ['authorization_code', 'client_credentials', 'refresh_token'])
    const forClient = events.find((event) => event.data!.grant_type === 'client_credentials')!
    assert.deepInclude(forClient, { user_id: null, ip: '127.0.0.1' })
    assert.deepEqual(forClient.data!.tokens, ['access_token'])
  })

  test('tokens issued at the authorization endpoint (implicit and hybrid) are recorded as implicit', async ({
    assert,
  }) => {
    for (const responseType of ['id_token', 'code id_token token']) {
      const { person, browser } = await signedIn()
      const rp = await createClient({
        redirectUris: [REDIRECT],
        responseTypes: [responseType],
        skipConsent: true,
      })
      const page = await browser.get(
        authorizeUrl({
          client_id: rp.id,
          response_type: responseType,
          scope: 'openid',
          redirect_uri: REDIRECT,
          nonce: 'n-1',
        })
      )
      assert.include(page.location, 'id_token=')
      const event = await oneEvent(assert, 'tokens.issued', rp)
      assert.deepInclude(event, { user_id: person.user.id })
      assert.deepInclude(event.data, {
        grant_type: 'implicit',
        tokens: responseType === 'id_token' ? ['id_token'] : ['access_token', 'id_token'],
      })
    }
  })

  test('a replayed code and a reused refresh token are recorded with the family they revoked', async ({
    assert,
  }) => {
    const { rp, code, verifier } = await issueCode()
    const issued = await redeemCode(rp, code, verifier)
    const fields = {
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT,
      client_id: rp.id,
      client_secret: rp.secret!,
      code_verifier: verifier!,
    }
    assert.equal((await tokenRequest(fields)).status, 400)
    const replayed = await oneEvent(assert, 'authorization_code.replayed', rp)
    const family = (await oneEvent(assert, 'tokens.issued', rp)).data!.family_id
    assert.deepEqual(replayed.data, { family_id: family, family_revoked: true })

    const { rp: other, code: otherCode, verifier: otherVerifier } = await issueCode()
    const first = await redeemCode(other, otherCode, otherVerifier)
    const refresh = {
      grant_type: 'refresh_token',
      refresh_token: first.refresh_token!,
      client_id: other.id,
      client_secret: other.secret!,
    }
    assert.equal((await tokenRequest(refresh)).status, 200)
    assert.equal((await tokenRequest(refresh)).status, 400)
    const reused = await oneEvent(assert, 'refresh_token.reused', other)
    assert.deepInclude(reused, { ip: '127.0.0.1' })
    assert.equal(reused.data!.family_revoked, true)
    assert.isString(reused.data!.family_id)
    assert.isDefined(issued.access_token)
  })

  test('client authentication failures give the reason; a tripped token endpoint limit names its action', async ({
    assert,
    cleanup,
  }) => {
    const rp = await createClient({ grantTypes: ['client_credentials'] })
    const wrong = await tokenRequest(
      { grant_type: 'client_credentials' },
      { authorization: basic(rp.id, 'not-the-secret') }
    )
    assert.equal(wrong.status, 401)
    const failed = await oneEvent(assert, 'client_auth.failed', rp)
    assert.deepInclude(failed, { ip: '127.0.0.1', data: { reason: 'bad_secret' } })

    useSettings(cleanup, {
      rateLimits: { ...oidcConfig.rateLimits, token: parseRateRules('1/m/client', 'test') },
    })
    const fields = { grant_type: 'client_credentials', client_id: rp.id, client_secret: rp.secret! }
    assert.equal((await tokenRequest(fields)).status, 200)
    assert.equal((await tokenRequest(fields)).status, 429)
    const tripped = await oneEvent(assert, 'rate_limit.tripped', rp)
    assert.deepEqual(tripped.data, { action: 'token', rule: '1/60s/client' })
  })
})

test.group('Audit events of admin commands', (group) => {
  group.each.setup(() => resetRateLimits())

  test('each admin change names the command user as actor and never a secret', async ({
    assert,
    cleanup,
  }) => {
    const byActor = (events: ListedEvent[]) =>
      events.map(({ type, actor }) => {
        assert.match(actor!, /^ace(:.+)?$/)
        return type
      })

    const client = await runJson(assert, 'client:create', [
      '--name',
      'Audited',
      '--redirect-uris',
      REDIRECT,
    ])
    await runJson(assert, 'client:update', [client.id, '--name', 'Audited again'])
    const rotated = await runJson(assert, 'client:rotate-secret', [client.id])
    await runJson(assert, 'client:delete', [client.id, '--force'])
    const clientEvents = await listEvents(assert, ['--client', client.id])
    assert.deepEqual(byActor(clientEvents), [
      'admin.client_deleted',
      'admin.client_secret_rotated',
      'admin.client_updated',
      'admin.client_created',
    ])
    assert.deepEqual(clientEvents[2].data, { fields: ['name'] })
    assert.deepEqual(clientEvents[3].data, {
      name: 'Audited',
      type: 'confidential',
      fields: ['name', 'redirect_uris'],
    })
    for (const secret of [client.secret, rotated.secret])
      assert.notInclude(JSON.stringify(clientEvents), secret)

    const password = 'Admin-set-password-81f2'
    const login = `audited_${Date.now()}`
    const user = await runJson(assert, 'user:create', [
      '--email',
      `${login}@example.com`,
      '--username',
      login,
      '--password',
      password,
    ])
    await runJson(assert, 'user:update', [
      login,
      '--password',
      `${password}-2`,
      '--first-name',
      'A',
    ])
    await runJson(assert, 'user:add-email', [login, '--email', `${login}.2@example.com`])
    await runJson(assert, 'user:sign-out', [login])
    await runJson(assert, 'user:mfa-reset', [login])
    await runJson(assert, 'user:delete', [login, '--force'])
    const userEvents = await listEvents(assert, ['--user', String(user.id)])
    assert.deepEqual(byActor(userEvents), [
      'admin.user_deleted',
      'admin.user_mfa_reset',
      'admin.user_signed_out',
      'admin.user_email_added',
      'admin.user_updated',
      'admin.user_created',
    ])
    assert.deepEqual(userEvents[0].data, { username: login })
    assert.deepEqual(userEvents[1].data, { removed: { totp: 0, recovery_codes: 0, webauthn: 0 } })
    assert.deepEqual(userEvents[2].data, { sessions: 0, tokens: 0 })
    assert.deepEqual(userEvents[4].data, { fields: ['password', 'first_name'] })
    assert.notInclude(JSON.stringify(userEvents), password)

    const key = await runJson(assert, 'keys:generate', ['--alg', 'ES256'])
    /* the JWKS tests that run later count the published keys */
    cleanup(async () => {
      await OidcSigningKey.query().where('kid', key.kid).delete()
      await keyStore.load(true)
    })
    /* a kid may start with "-": after "--" it is the argument, not a flag */
    assert.equal((await runCommand('keys:retire', ['--json', '--', key.kid])).exitCode, 0)
    const [retired] = await listEvents(assert, ['--type', 'admin.key_retired', '--limit', '1'])
    const [generated] = await listEvents(assert, ['--type', 'admin.keys_generated', '--limit', '1'])
    assert.deepInclude(retired.data, { kid: key.kid, alg: 'ES256' })
    assert.deepInclude(generated.data, { kid: key.kid, alg: 'ES256' })

    const source = await createAllauthSource('sqlite')
    try {
      await runJson(assert, 'allauth:import', [source.url])
    } finally {
      await source.drop()
    }
    const [imported] = await listEvents(assert, [
      '--type',
      'admin.allauth_imported',
      '--limit',
      '1',
    ])
    assert.deepEqual(Object.keys(imported.data!), ['source', 'tables'])
    assert.deepEqual((imported.data!.tables as Record<string, unknown>).auth_user, {
      created: 0,
      updated: 0,
      unchanged: 0,
      removed: 0,
      skipped: 0,
    })
    assert.notInclude(JSON.stringify(imported), source.url)
  })

  test('tokens:prune deletes the events older than the retention window and reports them', async ({
    assert,
  }) => {
    const window = observabilityConfig.auditEventRetention
    assert.equal(window, 90 * 24 * 3600, 'the default retention')
    const at = (age: number) => DateTime.utc().minus({ seconds: age })
    const old = await AuditEvent.create({ occurredAt: at(window + 60), type: 'sign_out' })
    const recent = await AuditEvent.create({ occurredAt: at(window - 60), type: 'sign_out' })

    const counts = await runJson(assert, 'tokens:prune', [])
    assert.isAtLeast(counts.audit_events, 1)
    assert.isNull(await AuditEvent.find(old.id))
    assert.isNotNull(await AuditEvent.find(recent.id))
    const [pruned] = await listEvents(assert, ['--type', 'admin.tokens_pruned', '--limit', '1'])
    assert.deepEqual(pruned.data, counts)
    await recent.delete()
  })
})

test.group('events:list', () => {
  test('filters by --since (a time or a duration) and --limit; refuses bad filters in one line', async ({
    assert,
  }) => {
    const person = await createUser()
    const browser = new Browser()
    await browser.signIn(person.email, person.password)
    await browser.signIn(person.email, person.password)
    assert.lengthOf(await listEvents(assert, ['--user', person.email, '--since', '1h']), 2)
    assert.lengthOf(await listEvents(assert, ['--user', person.email, '--limit', '1']), 1)
    const future = DateTime.utc().plus({ hours: 1 }).toISO()!
    assert.lengthOf(await listEvents(assert, ['--user', person.email, '--since', future]), 0)

    assert.equal(
      await runRefused(assert, 'events:list', ['--since', 'yesterday']),
      '--since: expected an ISO 8601 time or a duration such as 30m, 12h, 7d, got "yesterday"'
    )
    assert.match(await runRefused(assert, 'events:list', ['--type', 'nope']), /^--type: unknown/)
    assert.equal(
      await runRefused(assert, 'events:list', ['--user', 'nobody-here']),
      '--user: no user "nobody-here"'
    )
    assert.equal(
      await runRefused(assert, 'events:list', ['--limit', '0']),
      '--limit: expected a number from 1 to 10000, got "0"'
    )
    const text = await runCommand('events:list', ['--user', person.email])
    assert.match(text.stdout[0], /^\S+Z {2}sign_in\.succeeded {2}user \d+ {2}127\.0\.0\.1/)
  })

  test('each change in the admin console is an event naming the staff user', async ({ assert }) => {
    const staff = await createStaff()
    const person = await createUser()
    const rp = await createClient()
    await signedInAs(person)
    const staffBrowser = await signedInAs(staff)
    const userPage = `/admin/users/${person.user.id}/`
    for (const action of ['revoke_tokens', 'sign_out', 'deactivate']) {
      const page = await staffBrowser.get(userPage)
      await staffBrowser.submit(consoleForm(page, userPage), { action })
    }
    const rotate = `/admin/clients/${rp.id}/secret/`
    await staffBrowser.submit(consoleForm(await staffBrowser.get(rotate), rotate))

    const events = await eventsOfUser(assert, person)
    assert.deepEqual(
      events.map((event) => [event.type, event.actor, event.data]),
      [
        ['admin.user_updated', `staff:${staff.user.id}`, { is_active: false }],
        ['admin.user_signed_out', `staff:${staff.user.id}`, { sessions: 1, tokens: 0 }],
        ['admin.tokens_revoked', `staff:${staff.user.id}`, null],
        ['sign_in.succeeded', null, { method: 'password' }],
      ]
    )
    assert.equal(events[0].ip, '127.0.0.1')
    const rotated = await oneEvent(assert, 'admin.client_secret_rotated', rp)
    assert.equal(rotated.actor, `staff:${staff.user.id}`)
  })

  test('--help exits 0', async ({ assert }) => {
    const help = await runAce(['events:list', '--help'])
    assert.equal(help.code, 0)
    assert.include(help.stdout, '--since')
  })

  test('every event type was emitted by a real flow above', async ({ assert }) => {
    assert.deepEqual(
      AUDIT_EVENT_TYPES.filter((type) => !seen.has(type)),
      [],
      'types no flow recorded'
    )
    assert.isAbove(Number((await db.from('audit_events').count('* as n'))[0].n), 0)
  })
})
