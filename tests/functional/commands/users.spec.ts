import { test } from '@japa/runner'
import hash from '@adonisjs/core/services/hash'
import User from '#models/user'
import oidcConfig from '#config/oidc'
import EmailAddress from '#models/email_address'
import { createUser } from '#tests/helpers/factories'
import { findUserByLogin, passwordMatches } from '#services/accounts/credentials'
import { BASE_URL, Browser } from '#tests/helpers/browser'
import { mailSink } from '#tests/helpers/mail_sink'
import { resetWithLink, useAccountSettings } from '#tests/helpers/accounts'

/** The user a login and password sign in as, active or not */
const verifyCredentials = async (login: string, password: string) =>
  passwordMatches(await findUserByLogin(login), password)
import { runCommand, runJson, runRefused } from './run_command.js'

/* Addresses and usernames of this run only: other suites share the database */
const RUN = Date.now().toString(36)
const at = (local: string) => `${local}@users-${RUN}.example`
const name = (username: string) => `${username}_${RUN}`

async function counts() {
  const users = await User.query().count('* as total').firstOrFail()
  const emails = await EmailAddress.query().count('* as total').firstOrFail()
  return [Number(users.$extras.total), Number(emails.$extras.total)]
}

async function addressesOf(userId: number) {
  const rows = await EmailAddress.query().where('user_id', userId).orderBy('id')
  return rows.map(({ email, verified, primary }) => ({ email, verified, primary }))
}

test.group('user:create', () => {
  test('creates the user with a hashed password and a lower-cased primary address', async ({
    assert,
  }) => {
    const printed = await runJson(assert, 'user:create', [
      '--email',
      at('Grace.Hopper').toUpperCase(),
      '--password',
      'correct horse',
      '--username',
      name('grace'),
      '--first-name',
      'Grace',
      '--last-name',
      'Hopper',
      '--verified',
    ])
    assert.deepEqual(Object.keys(printed), [
      'id',
      'username',
      'first_name',
      'last_name',
      'is_active',
      'is_staff',
      'is_superuser',
      'emails',
    ])
    assert.deepInclude(printed, {
      username: name('grace'),
      first_name: 'Grace',
      last_name: 'Hopper',
      is_active: true,
      is_staff: false,
      is_superuser: false,
    })
    assert.deepEqual(printed.emails, [{ email: at('grace.hopper'), verified: true, primary: true }])

    const user = await User.findOrFail(printed.id)
    assert.notEqual(user.password, 'correct horse')
    assert.isTrue(await hash.verify(user.password, 'correct horse'))
    assert.deepEqual(await addressesOf(user.id), printed.emails)
  })

  test('without options: no username, empty names, a verified address; --inactive makes it inactive', async ({
    assert,
  }) => {
    const plain = await runJson(assert, 'user:create', [
      '--email',
      at('plain'),
      '--password',
      'pw-secret',
    ])
    assert.deepInclude(plain, { username: null, first_name: '', last_name: '', is_active: true })
    assert.deepEqual(plain.emails, [{ email: at('plain'), verified: true, primary: true }])

    const inactive = await runJson(assert, 'user:create', [
      '--email',
      at('inactive'),
      '--password',
      'pw-secret',
      '--inactive',
    ])
    assert.isFalse(inactive.is_active)
    assert.isFalse((await User.findOrFail(inactive.id)).isActive)
  })

  test('--unverified leaves the address for the person to confirm: held at sign-in under mandatory verification', async ({
    assert,
    cleanup,
  }) => {
    const created = await runJson(assert, 'user:create', [
      '--email',
      at('unverified'),
      '--password',
      'Tundra-unverified-1',
      '--unverified',
    ])
    assert.deepEqual(created.emails, [{ email: at('unverified'), verified: false, primary: true }])
    useAccountSettings(cleanup, { emailVerification: 'mandatory' })
    const held = await new Browser().signIn(at('unverified'), 'Tundra-unverified-1')
    assert.equal(held.location, `${BASE_URL}/accounts/confirm-email/`)
    assert.lengthOf((await mailSink.nextMail(at('unverified'))).links, 1)
    assert.equal(
      await runRefused(assert, 'user:create', [
        '--email',
        at('both'),
        '--password',
        'pw-secret',
        '--verified',
        '--unverified',
      ]),
      '--verified and --unverified exclude each other'
    )
  })

  test('the human form names the user and the address', async ({ assert }) => {
    const output = await runCommand('user:create', [
      '--email',
      at('human'),
      '--password',
      'pw-secret',
      '--username',
      name('human_user'),
    ])
    assert.equal(output.exitCode, 0)
    assert.match(
      output.stdout[0],
      new RegExp(
        `^Created User \\d+ ${name('human_user')}\n {2}${at('human').replaceAll('.', '\\.')}, primary, verified$`
      )
    )
  })

  test('refuses a taken address or username, a bad address and an empty password, writing nothing', async ({
    assert,
  }) => {
    const { email, user } = await createUser({ username: name('TakenName') })
    const before = await counts()
    assert.equal((await User.findOrFail(user.id)).username, name('TakenName'))
    const cases: [string[], string][] = [
      [
        ['--email', email.toUpperCase(), '--password', 'pw-secret'],
        `email "${email}" is already in use`,
      ],
      [
        ['--email', at('new-one'), '--password', 'pw-secret', '--username', name('takenname')],
        `username "${name('takenname')}" is already taken`,
      ],
      [
        ['--email', 'not-an-address', '--password', 'pw-secret'],
        '"not-an-address" is not an email address',
      ],
      [
        ['--email', at('two words'), '--password', 'pw-secret'],
        `"${at('two words')}" is not an email address`,
      ],
      [
        ['--email', at('new-three'), '--password', 'pw-secret', '--first-name', 'x'.repeat(151)],
        'the first name is longer than 150 characters',
      ],
    ]
    for (const [argv, message] of cases) {
      assert.equal(await runRefused(assert, 'user:create', argv), message)
      assert.deepEqual(await counts(), before)
    }
    // A login names one account: another user's address is not a username, nor the reverse
    assert.equal(
      await runRefused(assert, 'user:create', [
        '--email',
        at('new-four'),
        '--password',
        'pw-secret',
        '--username',
        email.toUpperCase(),
      ]),
      `username "${email.toUpperCase()}" is already taken`
    )
    assert.equal(
      await runRefused(assert, 'user:create', [
        '--email',
        name('TakenName'),
        '--password',
        'pw-secret',
      ]),
      `"${name('TakenName')}" is not an email address`
    )
    assert.deepEqual(await counts(), before)
  })

  test('refuses usernames with characters that pass for others', async ({ assert }) => {
    const before = await counts()
    const confusing = [
      `\u0430dmin_${RUN}`, // Cyrillic а among Latin letters
      `ad\u200bmin_${RUN}`, // zero-width space
      `\uff41dmin_${RUN}`, // full-width a
      `admin\u0338_${RUN}`, // a combining mark
      `adm\u0456n_${RUN}`, // Cyrillic і
    ]
    for (const username of confusing) {
      const message = await runRefused(assert, 'user:create', [
        '--email',
        at(`confusing-${confusing.indexOf(username)}`),
        '--password',
        'pw-secret',
        '--username',
        username,
      ])
      assert.match(message, /has characters that can pass for others/)
    }
    assert.deepEqual(await counts(), before)
    for (const username of [
      name('José.Ñúñez+1'),
      `\u0438\u0432\u0430\u043d_${Number.parseInt(RUN, 36)}`,
    ]) {
      const made = await runJson(assert, 'user:create', [
        '--email',
        at(`fine-${username.length}`),
        '--password',
        'pw-secret',
        '--username',
        username,
      ])
      assert.equal(made.username, username, 'letters of one script are fine')
    }
  })

  test('the ace parser refuses a required flag without value', async ({ assert }) => {
    const before = await counts()
    // The ace parser itself refuses a required flag without value
    await assert.rejects(
      () => runCommand('user:create', ['--email', at('new-two'), '--password', '']),
      'Missing value for option "password"'
    )
    assert.deepEqual(await counts(), before)
  })
})

test.group('user:create for a user brought over from allauth', () => {
  test('--id keeps the id and --password-hash keeps a Django hash, which signs in', async ({
    assert,
  }) => {
    const id = 700_000 + Math.floor(Math.random() * 100_000)
    /* Django's published vector (tests/auth_tests/test_hashers.py): "lètmein" */
    const django = 'pbkdf2_sha256$600000$seasalt$OAXyhAQ/4ZDA9V5RMExt3C1OwQdUpLZ99vm1McFlLRA='
    const printed = await runJson(assert, 'user:create', [
      '--id',
      String(id),
      '--username',
      name('moved'),
      '--password-hash',
      django,
      '--staff',
    ])
    assert.deepInclude(printed, { id, username: name('moved'), is_staff: true, emails: [] })
    const row = await User.findOrFail(id)
    assert.equal(row.password, django)
    assert.isTrue(row.isStaff)
    assert.equal((await verifyCredentials(name('moved'), 'lètmein'))?.id, id)

    /* the next user without --id takes a fresh id, on every database */
    const next = await runJson(assert, 'user:create', [
      '--email',
      at('after-moved'),
      '--password',
      'pw-secret',
    ])
    assert.notEqual(next.id, id)
  })

  test('--password-hash ! makes a user without a password', async ({ assert }) => {
    const printed = await runJson(assert, 'user:create', [
      '--email',
      at('no-password'),
      '--password-hash',
      '!',
    ])
    assert.equal((await User.findOrFail(printed.id)).password, '!')
    assert.isNull(await verifyCredentials(at('no-password'), '!'))
    assert.isNull(await verifyCredentials(at('no-password'), ''))
  })

  test('refuses a taken id, a bad id, an unknown hash format, both a password and a hash, no login', async ({
    assert,
  }) => {
    const { user } = await createUser()
    const before = await counts()
    const cases: [string[], string][] = [
      [
        ['--email', at('dup-id'), '--password', 'pw-secret', '--id', String(user.id)],
        `a user with id ${user.id} exists already`,
      ],
      [
        ['--email', at('zero-id'), '--password', 'pw-secret', '--id', '0'],
        'a user id is a whole number from 1 to 2147483647',
      ],
      [
        ['--email', at('md5'), '--password-hash', 'md5$seasalt$3f86d0d3d465b7b458c231bf3555c0e3'],
        'the password hash must be a Django hash (pbkdf2_sha256$…, pbkdf2_sha1$…, argon2$…, bcrypt_sha256$…, bcrypt$…, scrypt$…), one of ours, or ! for none',
      ],
      [
        ['--email', at('both'), '--password', 'pw-secret', '--password-hash', '!'],
        'give a password or a password hash, not both',
      ],
      [['--password', 'pw-secret'], 'a user needs an email address or a username to sign in with'],
    ]
    for (const [argv, message] of cases) {
      assert.equal(await runRefused(assert, 'user:create', argv), message)
      assert.deepEqual(await counts(), before)
    }
  })
})

test.group('user:update', () => {
  test('--staff and --no-staff set and clear the staff flag', async ({ assert }) => {
    const { email, user } = await createUser()
    assert.isTrue((await runJson(assert, 'user:update', [email, '--staff'])).is_staff)
    assert.isTrue((await User.findOrFail(user.id)).isStaff)
    assert.isFalse((await runJson(assert, 'user:update', [email, '--no-staff'])).is_staff)
    assert.isFalse((await User.findOrFail(user.id)).isStaff)
  })

  test('finds the user by address or username and changes only what is given', async ({
    assert,
  }) => {
    const { user, email } = await createUser({
      username: name('update_me'),
      firstName: 'Old',
      lastName: 'Name',
    })
    const byEmail = await runJson(assert, 'user:update', [
      email.toUpperCase(),
      '--first-name',
      'New',
    ])
    assert.deepInclude(byEmail, {
      id: user.id,
      first_name: 'New',
      last_name: 'Name',
      is_active: true,
    })

    const byUsername = await runJson(assert, 'user:update', [
      name('update_me').toUpperCase(),
      '--password',
      'new password',
      '--last-name',
      '',
      '--inactive',
    ])
    assert.deepInclude(byUsername, {
      id: user.id,
      first_name: 'New',
      last_name: '',
      is_active: false,
    })
    const row = await User.findOrFail(user.id)
    assert.isTrue(await hash.verify(row.password, 'new password'))
    assert.isFalse(row.isActive)

    assert.isTrue((await runJson(assert, 'user:update', [email, '--active'])).is_active)
    assert.isTrue((await User.findOrFail(user.id)).isActive)
  })

  test('refuses an unknown login and --active with --inactive, writing nothing', async ({
    assert,
  }) => {
    const { user, email } = await createUser()
    const before = (await User.findOrFail(user.id)).serialize()
    assert.equal(
      await runRefused(assert, 'user:update', [at('nobody'), '--first-name', 'X']),
      `no user "${at('nobody')}"`
    )
    assert.equal(
      await runRefused(assert, 'user:update', [email, '--active', '--inactive']),
      'give --active or --inactive, not both'
    )
    assert.equal(
      await runRefused(assert, 'user:update', [email, '--last-name', 'y'.repeat(151)]),
      'the last name is longer than 150 characters'
    )
    assert.deepEqual((await User.findOrFail(user.id)).serialize(), before)
  })
})

test.group('user:add-email', () => {
  test('adds a secondary address, lower-cased, verified when asked', async ({ assert }) => {
    const { user, email } = await createUser()
    const printed = await runJson(assert, 'user:add-email', [
      email,
      '--email',
      at('Second'),
      '--verified',
    ])
    assert.deepEqual(printed.emails, [
      { email, verified: true, primary: true },
      { email: at('second'), verified: true, primary: false },
    ])
    assert.deepEqual(await addressesOf(user.id), printed.emails)
  })

  test('--primary moves the primary flag: one primary per user', async ({ assert }) => {
    const { user, email } = await createUser({ username: name('moves_primary') })
    const printed = await runJson(assert, 'user:add-email', [
      name('moves_primary'),
      '--email',
      at('new-primary'),
      '--primary',
    ])
    assert.deepEqual(printed.emails, [
      { email: at('new-primary'), verified: false, primary: true },
      { email, verified: true, primary: false },
    ])
    const rows = await addressesOf(user.id)
    assert.deepEqual(
      rows.filter((row) => row.primary).map((row) => row.email),
      [at('new-primary')]
    )
  })

  test('refuses an address in use (by anyone) and an unknown user; the primary stays', async ({
    assert,
  }) => {
    const first = await createUser()
    const second = await createUser()
    const before = await counts()
    const cases: [string[], string][] = [
      [
        [first.email, '--email', second.email.toUpperCase(), '--primary'],
        `email "${second.email}" is already in use`,
      ],
      [
        [first.email, '--email', first.email, '--primary'],
        `email "${first.email}" is already in use`,
      ],
      [[at('nobody'), '--email', at('fresh')], `no user "${at('nobody')}"`],
      [[first.email, '--email', 'bad address'], '"bad address" is not an email address'],
    ]
    for (const [argv, message] of cases) {
      assert.equal(await runRefused(assert, 'user:add-email', argv), message)
      assert.deepEqual(await counts(), before)
    }
    assert.deepEqual(await addressesOf(first.user.id), [
      { email: first.email, verified: true, primary: true },
    ])
  })
})

test.group('user:send-reset', () => {
  test('mails the account a reset link that works, by username too', async ({ assert }) => {
    const person = await createUser()
    /* the link's origin: APP_URL (bin/test.ts sets it to the test server) */
    const sent = await runJson(assert, 'user:send-reset', [person.user.username!])
    assert.deepEqual(sent, { user_id: person.user.id, email: person.email })
    const mail = await mailSink.nextMail(person.email)
    assert.equal(mail.subject, `[${new URL(BASE_URL).host}] Password Reset Email`)
    const password = `Tundra-${person.user.id}-reset`
    assert.equal((await resetWithLink(new Browser(), mail.links[0], password)).status, 303)
    assert.isNotNull(await passwordMatches(await User.findOrFail(person.user.id), password))
  })

  test('refuses an unknown login, an inactive account and a missing origin', async ({
    assert,
    cleanup,
  }) => {
    assert.match(
      await runRefused(assert, 'user:send-reset', ['nobody-at-all', '--url', BASE_URL]),
      /no user "nobody-at-all"/
    )
    const inactive = await createUser({ isActive: false })
    assert.match(
      await runRefused(assert, 'user:send-reset', [inactive.email, '--url', BASE_URL]),
      /inactive/
    )
    const appUrl = oidcConfig.appUrl
    cleanup(() => void (oidcConfig.appUrl = appUrl))
    oidcConfig.appUrl = null
    const person = await createUser()
    assert.match(await runRefused(assert, 'user:send-reset', [person.email]), /APP_URL/)
  })
})
