/**
 * The operator's user commands run as an operator runs them: `node ace …` in
 * a process of its own, on a terminal when they ask something (the prompt and
 * the confirmation are typed), against the run's database and test server.
 * What a separate process adds nothing to (human forms, refusals) runs in the
 * test process, which saves booting the app once more on a shared machine.
 */
import { randomBytes } from 'node:crypto'
import { test } from '@japa/runner'
import type { Assert } from '@japa/assert'
import { DateTime } from 'luxon'
import { decodeJwt } from 'jose'
import db from '@adonisjs/lucid/services/db'
import User from '#models/user'
import { sqlTime } from '#models/columns'
import EmailAddress from '#models/email_address'
import EmailConfirmation from '#models/email_confirmation'
import OidcClient from '#models/oidc_client'
import OidcDeviceCode from '#models/oidc_device_code'
import { findUserByLogin, passwordMatches } from '#services/accounts/credentials'
import { randomValue, sha256Hex } from '#services/oidc/protocol/random'
import { runAce, runAceInTerminal } from '#tests/helpers/ace_process'
import { BASE_URL, Browser, isSignedIn, signsIn } from '#tests/helpers/browser'
import { USERINFO } from '#tests/helpers/endpoints'
import { createClient, createUser, type TestUser } from '#tests/helpers/factories'
import { codeFlow, failure } from '#tests/helpers/tokens'
import { oidc } from '#tests/helpers/relying_party'
import { giveTotp } from '#tests/helpers/mfa'
import { BackchannelReceiver } from '#tests/helpers/backchannel_receiver'
import { until } from '#tests/helpers/until'
import { useAccountSettings } from '#tests/helpers/accounts'
import { runCommand, runJson, runRefused } from './run_command.js'

/* Names of this run only: other suites share the database */
const RUN = randomBytes(5).toString('hex')
const at = (local: string) => `${local}@operator-${RUN}.example`

/* Each command boots the app in a process of its own: seconds each on a busy machine */
const COMMAND_TIMEOUT = 120_000

/** The one JSON value a --json run printed, after checking it succeeded alone on stdout */
function printed(assert: Assert, result: { code: number; stdout: string; stderr: string }) {
  assert.equal(result.code, 0, result.stderr)
  assert.equal(result.stderr, '')
  assert.match(result.stdout, /^[[{][^\n]*\n$/)
  return JSON.parse(result.stdout)
}

function refused(assert: Assert, result: { code: number; stdout: string; stderr: string }) {
  assert.equal(result.code, 1)
  assert.equal(result.stdout, '')
  return result.stderr
}

async function userinfoStatus(accessToken: string) {
  const response = await fetch(`${BASE_URL}${USERINFO}`, {
    headers: { authorization: `Bearer ${accessToken}` },
  })
  return response.status
}

/** Rows that name the user, per table */
async function rowsOf(userId: number) {
  const counts: Record<string, number> = {}
  for (const table of [
    'email_addresses',
    'user_sessions',
    'oidc_consents',
    'oidc_tokens',
    'oidc_authorization_codes',
    'oidc_device_codes',
    'oidc_session_clients',
  ]) {
    const [row] = await db.from(table).where('user_id', userId).count('* as total')
    counts[table] = Number(row.total)
  }
  return counts
}

/** A person signed in at a client that takes back-channel logout, holding its tokens */
async function signedInAtClient(receiver: BackchannelReceiver, person?: TestUser) {
  const flow = await codeFlow({
    person,
    client: { backchannelLogoutUri: await receiver.start() },
  })
  return { ...flow, sid: flow.tokens.claims()!.sid as string }
}

test.group('user:list', (group) => {
  group.each.timeout(COMMAND_TIMEOUT)

  test('lists id, username, primary address, flags and last login; --search narrows', async ({
    assert,
  }) => {
    const first = await createUser({ username: `ops_list_${RUN}_a`, email: at('list-a') })
    const second = await createUser({ username: `ops_other_${RUN}`, email: at('list-b') })
    await User.query()
      .where('id', second.user.id)
      .update({
        is_staff: true,
        last_login_at: sqlTime(DateTime.fromISO('2026-01-02T03:04:05Z')),
      })
    await EmailAddress.query().where('user_id', second.user.id).update({ verified: false })

    const listed = printed(assert, await runAce(['user:list', '--search', RUN, '--json']))
    assert.deepEqual(listed, [
      {
        id: first.user.id,
        username: `ops_list_${RUN}_a`,
        email: at('list-a'),
        email_verified: true,
        is_active: true,
        is_staff: false,
        last_login: null,
      },
      {
        id: second.user.id,
        username: `ops_other_${RUN}`,
        email: at('list-b'),
        email_verified: false,
        is_active: true,
        is_staff: true,
        last_login: '2026-01-02T03:04:05.000Z',
      },
    ])
    /* an address matches too, and LIKE's wildcards are plain characters */
    const byAddress: { id: number }[] = await runJson(assert, 'user:list', [
      '--search',
      'LIST-B@operator-',
    ])
    assert.deepEqual(
      byAddress.map((user) => user.id),
      [second.user.id]
    )
    assert.deepEqual(await runJson(assert, 'user:list', ['--search', `%${RUN}`]), [])

    const human = await runCommand('user:list', ['--search', `ops_other_${RUN}`])
    assert.equal(human.exitCode, 0)
    assert.match(
      human.stdout[0],
      new RegExp(
        `^ *${second.user.id} {2}ops_other_${RUN} +${at('list-b').replaceAll('.', '\\.')} \\(unverified\\) +active,staff +last login 2026-01-02T03:04:05\\.000Z$`
      )
    )
  })
})

test.group('user:show', (group) => {
  group.each.timeout(COMMAND_TIMEOUT)

  test('shows the profile, addresses, live sessions, consents, live tokens per client and factors', async ({
    assert,
    cleanup,
  }) => {
    const receiver = new BackchannelReceiver()
    cleanup(() => receiver.stop())
    const { person, rp } = await signedInAtClient(receiver)

    const shown = printed(assert, await runAce(['user:show', String(person.user.id), '--json']))
    assert.deepInclude(shown, {
      id: person.user.id,
      username: person.user.username,
      emails: [{ email: person.email, verified: true, primary: true }],
      sessions: 1,
      tokens: [
        { client_id: rp.id, client_name: rp.client.name, access_tokens: 1, refresh_tokens: 1 },
      ],
      factors: [],
    })
    assert.isNotNull(shown.last_login)
    assert.deepEqual(
      shown.consents.map((consent: Record<string, unknown>) => [consent.client_id, consent.scopes]),
      [[rp.id, ['openid', 'profile', 'email']]]
    )

    const human = await runCommand('user:show', [person.email])
    assert.equal(human.exitCode, 0)
    const lines = human.stdout[0].split('\n')
    assert.includeMembers(lines, [
      '  live sessions: 1',
      `    ${rp.client.name} (${rp.id}): 1 access, 1 refresh`,
      '  second factors: none',
    ])
    assert.equal(await runRefused(assert, 'user:show', [at('nobody')]), `no user "${at('nobody')}"`)
  })

  test('lists the second factors, never their secrets', async ({ assert }) => {
    const person = await createUser()
    const { secret } = await giveTotp(person.user.id)
    const shown = printed(assert, await runAce(['user:show', String(person.user.id), '--json']))
    assert.sameMembers(
      shown.factors.map((factor: { type: string }) => factor.type),
      ['totp', 'recovery_codes']
    )
    assert.notInclude(JSON.stringify(shown), secret)
    const human = await runCommand('user:show', [person.email])
    assert.match(human.stdout[0], /\n {2}second factors:\s*\n {4}(totp|recovery_codes), added /)
    assert.match(human.stdout[0], /\n {4}totp, added /)
  })
})

test.group('user:sign-out', (group) => {
  group.each.timeout(COMMAND_TIMEOUT)

  test('ends every session and revokes every token; the cookie and the access token stop working; the client hears', async ({
    assert,
    cleanup,
  }) => {
    const receiver = new BackchannelReceiver()
    cleanup(() => receiver.stop())
    const { person, config, browser, tokens, sid } = await signedInAtClient(receiver)
    const elsewhere = new Browser()
    await elsewhere.signIn(person.email, person.password)
    const bystander = await createUser()
    const bystanderBrowser = new Browser()
    await bystanderBrowser.signIn(bystander.email, bystander.password)

    assert.isTrue(await isSignedIn(browser))
    assert.isTrue(await isSignedIn(elsewhere))
    assert.equal(await userinfoStatus(tokens.access_token), 200)

    const result = printed(assert, await runAce(['user:sign-out', person.email, '--json']))
    assert.deepEqual(result, { id: person.user.id, sessions: 2, tokens: 2 })

    assert.isFalse(await isSignedIn(browser))
    assert.isFalse(await isSignedIn(elsewhere))
    assert.equal(await userinfoStatus(tokens.access_token), 401)
    const refresh = await failure(oidc.refreshTokenGrant(config, tokens.refresh_token!))
    assert.equal(refresh.status, 400)
    assert.deepInclude(refresh.body as object, { error: 'invalid_grant' })
    assert.deepInclude(await rowsOf(person.user.id), { user_sessions: 0 })

    /* sent by the command, or by the test server's delivery loop if it claimed the notice first */
    await until(() => receiver.tokens.length > 0, 30_000)
    assert.lengthOf(receiver.tokens, 1)
    assert.deepInclude(decodeJwt(receiver.tokens[0]), { sid, sub: String(person.user.id) })

    assert.isTrue(await isSignedIn(bystanderBrowser))
    const again = await runCommand('user:sign-out', [String(person.user.id)])
    assert.deepEqual(again.stdout, [
      `Signed user ${person.user.id} out: 0 sessions ended, 0 tokens revoked`,
    ])
  })
})

test.group('user:delete', (group) => {
  group.each.timeout(COMMAND_TIMEOUT)

  test('asks first: without a terminal only --force goes on, and "no" keeps everything', async ({
    assert,
  }) => {
    const person = await createUser({ email: at('kept') })
    const before = await rowsOf(person.user.id)

    assert.equal(
      refused(assert, await runAce(['user:delete', person.email])),
      'error: no terminal to confirm on: add --force to go ahead\n'
    )
    const answeredNo = await runAceInTerminal(
      ['user:delete', person.email],
      [['and everything it holds?', 'n\r']]
    )
    assert.equal(answeredNo.code, 1)
    assert.include(
      answeredNo.output,
      `Delete User ${person.user.id} ${person.user.username} (Ada Lovelace) and everything it holds?`
    )
    assert.include(answeredNo.output, 'error: not confirmed; nothing changed')
    assert.isNotNull(await User.find(person.user.id))
    assert.deepEqual(await rowsOf(person.user.id), before)
  })

  test('"yes" deletes the user with every row naming it, and its client hears of the logout', async ({
    assert,
    cleanup,
  }) => {
    const receiver = new BackchannelReceiver()
    cleanup(() => receiver.stop())
    const { person, rp, browser, tokens, sid } = await signedInAtClient(receiver)
    const second = await EmailAddress.create({
      userId: person.user.id,
      email: at('deleted-second'),
      verified: false,
      primary: false,
    })
    const confirmation = await EmailConfirmation.create({
      emailAddressId: second.id,
      keyDigest: sha256Hex(randomValue(16)),
      codeDigest: null,
      failedAttempts: 0,
      expiresAt: DateTime.utc().plus({ days: 1 }),
    })
    await OidcDeviceCode.create({
      deviceCodeHash: sha256Hex(randomValue(16)),
      userCode: randomValue(8),
      clientId: rp.id,
      scopes: ['openid'],
      status: 'approved',
      userId: person.user.id,
      authTime: Math.floor(Date.now() / 1000),
      interval: 5,
      lastPolledAt: null,
      expiresAt: DateTime.utc().plus({ minutes: 10 }),
      decidedAt: DateTime.utc(),
    })
    const bystanderReceiver = new BackchannelReceiver()
    cleanup(() => bystanderReceiver.stop())
    const bystander = await signedInAtClient(bystanderReceiver)
    const bystanderRows = await rowsOf(bystander.person.user.id)
    const before = await rowsOf(person.user.id)
    for (const [table, count] of Object.entries(before)) assert.isAbove(count, 0, table)

    const answeredYes = await runAceInTerminal(
      ['user:delete', person.email],
      [['and everything it holds?', 'y\r']]
    )
    assert.equal(answeredYes.code, 0, answeredYes.output)
    assert.include(answeredYes.output, `Deleted User ${person.user.id} ${person.user.username}`)

    assert.isNull(await User.find(person.user.id))
    assert.deepEqual(await rowsOf(person.user.id), {
      email_addresses: 0,
      user_sessions: 0,
      oidc_consents: 0,
      oidc_tokens: 0,
      oidc_authorization_codes: 0,
      oidc_device_codes: 0,
      oidc_session_clients: 0,
    })
    assert.isNull(await EmailConfirmation.find(confirmation.id))
    assert.isFalse(await isSignedIn(browser))
    assert.equal(await userinfoStatus(tokens.access_token), 401)
    await until(() => receiver.tokens.length > 0, 30_000)
    assert.lengthOf(receiver.tokens, 1)
    assert.deepInclude(decodeJwt(receiver.tokens[0]), { sid })

    assert.deepEqual(await rowsOf(bystander.person.user.id), bystanderRows)
    assert.isNotNull(await OidcClient.find(rp.id))
  })

  test('--force deletes without asking and prints the user deleted', async ({ assert }) => {
    const person = await createUser({ email: at('forced') })
    const deleted = printed(
      assert,
      await runAce(['user:delete', at('forced'), '--force', '--json'])
    )
    assert.deepInclude(deleted, {
      id: person.user.id,
      emails: [{ email: at('forced'), verified: true, primary: true }],
    })
    assert.isNull(await User.find(person.user.id))
  })
})

test.group('passwords of user:create and user:update', (group) => {
  group.each.timeout(COMMAND_TIMEOUT)

  const signsInWith = async (login: string, password: string) =>
    !!(await passwordMatches(await findUserByLogin(login), password))

  test('--password-stdin reads the password from stdin, less the final line break', async ({
    assert,
  }) => {
    const created = printed(
      assert,
      await runAce(
        ['user:create', '--email', at('stdin'), '--password-stdin', '--json'],
        {},
        'Stdin-pass 1\n'
      )
    )
    assert.isTrue(await signsInWith(at('stdin'), 'Stdin-pass 1'))
    assert.isTrue(await signsIn(at('stdin'), 'Stdin-pass 1'))

    printed(
      assert,
      await runAce(
        ['user:update', String(created.id), '--password-stdin', '--json'],
        {},
        'Stdin-pass 2'
      )
    )
    assert.isFalse(await signsInWith(at('stdin'), 'Stdin-pass 1'))
    assert.isTrue(await signsInWith(at('stdin'), 'Stdin-pass 2'))
  })

  test('the prompt hides what is typed, asks twice, and refuses two different answers', async ({
    assert,
  }) => {
    const typed = `Typed-${randomValue(6)}`
    const asked = await runAceInTerminal(
      ['user:create', '--email', at('prompted'), '--json'],
      [
        ['Password', `${typed}\r`],
        ['Password (again)', `${typed}\r`],
      ]
    )
    assert.equal(asked.code, 0, asked.output)
    assert.notInclude(asked.output, typed)
    assert.isTrue(await signsInWith(at('prompted'), typed))

    const differing = await runAceInTerminal(
      ['user:create', '--email', at('differing')],
      [
        ['Password', 'First-answer\r'],
        ['Password (again)', 'Second-answer\r'],
      ]
    )
    assert.equal(differing.code, 1)
    assert.include(differing.output, 'error: the two passwords differ')
    assert.isNull(await EmailAddress.findBy('email', at('differing')))

    const changed = await runAceInTerminal(
      ['user:update', at('prompted'), '--ask-password'],
      [
        ['Password', 'Changed-typed\r'],
        ['Password (again)', 'Changed-typed\r'],
      ]
    )
    assert.equal(changed.code, 0, changed.output)
    assert.isTrue(await signsInWith(at('prompted'), 'Changed-typed'))
  })

  test('without a terminal, a password comes from a flag or stdin', async ({ assert }) => {
    assert.equal(
      refused(assert, await runAce(['user:create', '--email', at('no-terminal')])),
      'error: no terminal to ask for the password on: use --password-stdin\n'
    )
    assert.equal(
      await runRefused(assert, 'user:create', [
        '--email',
        at('no-terminal'),
        '--password',
        'Flag-pass 1',
        '--password-stdin',
      ]),
      'give --password or --password-stdin, not both'
    )
    assert.isNull(await EmailAddress.findBy('email', at('no-terminal')))
  })

  test('ACCOUNT_PASSWORD_MIN_LENGTH holds for every way a command sets a password', async ({
    assert,
    cleanup,
  }) => {
    const person = await createUser()
    const stored = person.user.password
    const tooShort = 'This password is too short. It must contain at least 12 characters.'
    assert.equal(
      refused(
        assert,
        await runAce(
          ['user:create', '--email', at('short'), '--password-stdin'],
          { ACCOUNT_PASSWORD_MIN_LENGTH: '12' },
          'Eleven-char'
        )
      ),
      `error: ${tooShort}\n`
    )
    useAccountSettings(cleanup, { passwordMinLength: 12 })
    for (const [name, argv] of [
      ['user:create', ['--email', at('short'), '--password', 'Eleven-char']],
      ['user:update', [person.email, '--password', 'Eleven-char']],
    ] as const)
      assert.equal(await runRefused(assert, name, [...argv]), tooShort)
    assert.isNull(await EmailAddress.findBy('email', at('short')))
    assert.equal((await User.findOrFail(person.user.id)).password, stored)

    await runJson(assert, 'user:update', [person.email, '--password', 'Twelve-chars'])
    assert.isTrue(await signsInWith(person.email, 'Twelve-chars'))
  })
})

test.group('client:delete', (group) => {
  group.each.timeout(COMMAND_TIMEOUT)

  test('asks first: no terminal and "no" keep the client, "yes" deletes it', async ({ assert }) => {
    const { id, client } = await createClient()
    assert.equal(
      refused(assert, await runAce(['client:delete', id])),
      'error: no terminal to confirm on: add --force to go ahead\n'
    )
    const question = `Delete client ${id} (${client.name}) with its tokens, codes and consents?`
    const answeredNo = await runAceInTerminal(['client:delete', id], [[question, 'n\r']])
    assert.equal(answeredNo.code, 1, answeredNo.output)
    assert.isNotNull(await OidcClient.find(id))

    const answeredYes = await runAceInTerminal(['client:delete', id], [[question, 'y\r']])
    assert.equal(answeredYes.code, 0, answeredYes.output)
    assert.include(answeredYes.output, `Deleted client ${id} (${client.name})`)
    assert.isNull(await OidcClient.find(id))
  })
})
