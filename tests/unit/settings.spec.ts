import { generateKeyPairSync } from 'node:crypto'
import { test } from '@japa/runner'
import * as read from '#start/settings'
import { InvalidSettingError } from '#start/settings'
import * as account from '#start/account_settings'

/** The one-line message a bad value stops the boot with */
function failure(parse: () => unknown): string {
  try {
    parse()
  } catch (error) {
    if (error instanceof InvalidSettingError) return error.message
    throw error
  }
  throw new Error('the value was accepted')
}

const pem = (type: 'rsa' | 'ec' | 'ed25519' | 'x25519', format: 'pkcs8' | 'pkcs1' = 'pkcs8') => {
  const options =
    type === 'rsa' ? { modulusLength: 2048 } : type === 'ec' ? { namedCurve: 'P-256' } : {}
  const { privateKey } = generateKeyPairSync(type as 'rsa', options as { modulusLength: number })
  return privateKey.export({ type: format, format: 'pem' }) as string
}

test.group('settings: rate strings (docs/settings.md#rate-limits)', () => {
  test('amount/duration[/per] with s, m, h and d units', ({ assert }) => {
    assert.deepEqual(read.parseRateRules('5/m/ip', 'X'), [
      { amount: 5, durationSeconds: 60, per: 'ip' },
    ])
    assert.deepEqual(read.parseRateRules('10/m/ip,5/5m/key', 'X'), [
      { amount: 10, durationSeconds: 60, per: 'ip' },
      { amount: 5, durationSeconds: 300, per: 'key' },
    ])
    assert.deepEqual(
      read.parseRateRules('1/s', 'X'),
      [{ amount: 1, durationSeconds: 1, per: 'ip' }],
      'per defaults to ip'
    )
    assert.deepEqual(read.parseRateRules('7/30s/user', 'X'), [
      { amount: 7, durationSeconds: 30, per: 'user' },
    ])
    assert.deepEqual(read.parseRateRules('2/h', 'X')[0].durationSeconds, 3600)
    assert.deepEqual(read.parseRateRules('2/3h', 'X')[0].durationSeconds, 10800)
    assert.deepEqual(read.parseRateRules('2/d', 'X')[0].durationSeconds, 86400)
    assert.deepEqual(read.parseRateRules(' 6000/m/key , 3/2d ', 'X'), [
      { amount: 6000, durationSeconds: 60, per: 'key' },
      { amount: 3, durationSeconds: 172800, per: 'ip' },
    ])
  })

  test('a bad rate is refused, naming the variable and the bad part', ({ assert }) => {
    const cases: [string, string][] = [
      ['5/x', '5/x'],
      ['5/m/host', '5/m/host'],
      ['0/m', '0/m'],
      ['-1/m', '-1/m'],
      ['5', '5'],
      ['five/m', 'five/m'],
      ['5/0m', '5/0m'],
      ['5/00s', '5/00s'],
      ['5/1.5m', '5/1.5m'],
      ['5/M', '5/M'],
      ['5/m/ip/key', '5/m/ip/key'],
      ['10/m/ip,5/5x/key', '5/5x/key'],
      ['5/m/ip,', ''],
      ['', ''],
    ]
    for (const [rate, part] of cases) {
      assert.equal(
        failure(() => read.parseRateRules(rate, 'IDP_OIDC_RATE_LIMITS')),
        `IDP_OIDC_RATE_LIMITS: bad rate "${part}"; expected amount/duration[/per], e.g. 5/m/ip`,
        rate
      )
    }
  })
})

test.group('settings: IDP_OIDC_RATE_LIMITS', () => {
  const defaults = {
    device_user_code: [{ amount: 5, durationSeconds: 60, per: 'ip' }],
    client_auth_failed: [
      { amount: 20, durationSeconds: 60, per: 'ip' },
      { amount: 20, durationSeconds: 60, per: 'key' },
      { amount: 1000, durationSeconds: 60, per: 'client' },
    ],
    token: null,
    device_code: [
      { amount: 10, durationSeconds: 60, per: 'ip' },
      { amount: 600, durationSeconds: 60, per: 'client' },
    ],
  }

  test('unset gives the defaults of docs/settings.md#rate-limits', ({ assert }) => {
    assert.deepEqual(read.rateLimits({}, 'IDP_OIDC_RATE_LIMITS'), defaults)
    assert.deepEqual(
      read.rateLimits({ IDP_OIDC_RATE_LIMITS: '  ' }, 'IDP_OIDC_RATE_LIMITS'),
      defaults
    )
  })

  test('an object is merged over the defaults key by key; false or null disables one limit', ({
    assert,
  }) => {
    const limits = read.rateLimits(
      {
        IDP_OIDC_RATE_LIMITS:
          '{"device_user_code":"3/m/ip","client_auth_failed":null,"token":"6000/m/key"}',
      },
      'IDP_OIDC_RATE_LIMITS'
    )
    assert.deepEqual(limits, {
      device_user_code: [{ amount: 3, durationSeconds: 60, per: 'ip' }],
      client_auth_failed: null,
      token: [{ amount: 6000, durationSeconds: 60, per: 'key' }],
      device_code: defaults.device_code,
    })
  })

  test('login and login_failed are still accepted here; ACCOUNT_RATE_LIMITS reads them', ({
    assert,
  }) => {
    const limits = read.rateLimits(
      { IDP_OIDC_RATE_LIMITS: '{"login":"3/m/ip","login_failed":false}' },
      'IDP_OIDC_RATE_LIMITS'
    )
    assert.deepEqual(limits, defaults)
  })

  test('false disables every limit', ({ assert }) => {
    const limits = read.rateLimits({ IDP_OIDC_RATE_LIMITS: 'false' }, 'IDP_OIDC_RATE_LIMITS')
    assert.deepEqual(Object.values(limits), [null, null, null, null])
    assert.sameMembers(Object.keys(limits), Object.keys(defaults))
  })

  test('bad values are refused', ({ assert }) => {
    const bad = (value: string) =>
      failure(() => read.rateLimits({ IDP_OIDC_RATE_LIMITS: value }, 'IDP_OIDC_RATE_LIMITS'))
    assert.equal(
      bad('{"token":"5/x"}'),
      'IDP_OIDC_RATE_LIMITS: bad rate "5/x"; expected amount/duration[/per], e.g. 5/m/ip'
    )
    assert.equal(bad('{login: 5}'), 'IDP_OIDC_RATE_LIMITS: is not valid JSON')
    assert.equal(bad('{"signup":"5/m"}'), 'IDP_OIDC_RATE_LIMITS: unknown action "signup"')
    assert.equal(
      bad('{"token":5}'),
      'IDP_OIDC_RATE_LIMITS: the rate of "token" must be a string, false or null'
    )
    for (const value of ['true', '"5/m"', '[]', 'null', '3']) {
      assert.equal(
        bad(value),
        'IDP_OIDC_RATE_LIMITS: expected a JSON object of action to rate, or false',
        value
      )
    }
  })
})

test.group('settings: ACCOUNT_RATE_LIMITS', () => {
  const limits = (env: Record<string, string>, byCode = false) =>
    account.accountRateLimits(env, 'ACCOUNT_RATE_LIMITS', 'IDP_OIDC_RATE_LIMITS', byCode)
  const rule = (amount: number, durationSeconds: number, per: string) => ({
    amount,
    durationSeconds,
    per,
  })

  test("unset gives allauth's defaults; confirm_email depends on verification by code", ({
    assert,
  }) => {
    const { rateLimits, deprecations } = limits({})
    assert.deepEqual(rateLimits.login, [rule(30, 60, 'ip')])
    assert.deepEqual(rateLimits.login_failed, [rule(10, 60, 'ip'), rule(5, 300, 'key')])
    assert.deepEqual(rateLimits.signup, [rule(20, 60, 'ip')])
    assert.deepEqual(rateLimits.reset_password, [rule(20, 60, 'ip'), rule(5, 60, 'key')])
    assert.deepEqual(rateLimits.reset_password_from_key, [rule(20, 60, 'ip')])
    assert.deepEqual(rateLimits.change_password, [rule(5, 60, 'user')])
    assert.deepEqual(rateLimits.manage_email, [rule(10, 60, 'user')])
    assert.deepEqual(rateLimits.reauthenticate, [rule(10, 60, 'user')])
    assert.deepEqual(rateLimits.confirm_email, [rule(1, 180, 'key')])
    assert.deepEqual(limits({}, true).rateLimits.confirm_email, [rule(1, 10, 'key')])
    assert.deepEqual(deprecations, [])
  })

  test('an object is merged key by key; false or null turns one off, false all', ({ assert }) => {
    const { rateLimits } = limits({ ACCOUNT_RATE_LIMITS: '{"signup":"3/h","login":false}' })
    assert.deepEqual(rateLimits.signup, [rule(3, 3600, 'ip')])
    assert.isNull(rateLimits.login)
    assert.deepEqual(rateLimits.manage_email, [rule(10, 60, 'user')])
    const off = limits({ ACCOUNT_RATE_LIMITS: 'false' }).rateLimits
    assert.isTrue(Object.values(off).every((value) => value === null))
  })

  test('login and login_failed of IDP_OIDC_RATE_LIMITS still count, under ACCOUNT_RATE_LIMITS', ({
    assert,
  }) => {
    const legacy = limits({ IDP_OIDC_RATE_LIMITS: '{"login":"3/m/ip","token":"9/m/key"}' })
    assert.deepEqual(legacy.rateLimits.login, [rule(3, 60, 'ip')])
    assert.lengthOf(legacy.deprecations, 1)
    assert.include(legacy.deprecations[0], 'ACCOUNT_RATE_LIMITS')
    const both = limits({
      IDP_OIDC_RATE_LIMITS: '{"login":"3/m/ip"}',
      ACCOUNT_RATE_LIMITS: '{"login":"4/m/ip"}',
    })
    assert.deepEqual(both.rateLimits.login, [rule(4, 60, 'ip')])
    assert.isNull(limits({ IDP_OIDC_RATE_LIMITS: 'false' }).rateLimits.login_failed)
    assert.deepEqual(limits({ IDP_OIDC_RATE_LIMITS: '{"token":"9/m/key"}' }).deprecations, [])
  })

  test('bad values are refused, naming the variable they came from', ({ assert }) => {
    const bad = (env: Record<string, string>) => failure(() => limits(env))
    assert.equal(
      bad({ ACCOUNT_RATE_LIMITS: '{"signup":"5/x"}' }),
      'ACCOUNT_RATE_LIMITS: bad rate "5/x"; expected amount/duration[/per], e.g. 5/m/ip'
    )
    assert.equal(
      bad({ IDP_OIDC_RATE_LIMITS: '{"login":"5/x"}', ACCOUNT_RATE_LIMITS: '{"login":"5/m"}' }),
      'IDP_OIDC_RATE_LIMITS: bad rate "5/x"; expected amount/duration[/per], e.g. 5/m/ip'
    )
    assert.equal(
      bad({ ACCOUNT_RATE_LIMITS: '{"token":"5/m"}' }),
      'ACCOUNT_RATE_LIMITS: unknown action "token"'
    )
    assert.equal(
      bad({ ACCOUNT_RATE_LIMITS: '[]' }),
      'ACCOUNT_RATE_LIMITS: expected a JSON object of action to rate, or false'
    )
    assert.equal(
      bad({ ACCOUNT_RATE_LIMITS: '{"signup":7}' }),
      'ACCOUNT_RATE_LIMITS: the rate of "signup" must be a string, false or null'
    )
  })

  test('ACCOUNT_LOGIN_METHODS is a subset of email and username', ({ assert }) => {
    assert.deepEqual(account.loginMethods({}, 'M'), ['email', 'username'])
    assert.deepEqual(account.loginMethods({ M: ' username , email' }, 'M'), ['email', 'username'])
    assert.deepEqual(account.loginMethods({ M: 'email' }, 'M'), ['email'])
    assert.equal(
      failure(() => account.loginMethods({ M: 'phone' }, 'M')),
      'M: expected email, username or both, got "phone"'
    )
  })
})

test.group('settings: durations, booleans, enums', () => {
  test('durations are whole seconds; unset or empty gives the default', ({ assert }) => {
    assert.equal(read.seconds({ X: '3600' }, 'X', 1), 3600)
    assert.equal(read.seconds({ X: ' 0 ' }, 'X', 1), 0)
    assert.equal(read.seconds({}, 'X', 300), 300)
    assert.equal(read.seconds({ X: '' }, 'X', 300), 300)
    assert.isNull(read.seconds({}, 'X', null))
    for (const value of ['-5', '1.5', '5m', '1e3', 'abc', '0x10']) {
      assert.equal(
        failure(() => read.seconds({ X: value }, 'X', 1)),
        `X: expected a non-negative whole number of seconds, got "${value}"`
      )
    }
  })

  test('counts are whole numbers', ({ assert }) => {
    assert.equal(
      read.count({ ALLAUTH_TRUSTED_PROXY_COUNT: '2' }, 'ALLAUTH_TRUSTED_PROXY_COUNT', 0),
      2
    )
    assert.equal(read.count({}, 'ALLAUTH_TRUSTED_PROXY_COUNT', 0), 0)
    assert.equal(
      failure(() =>
        read.count({ ALLAUTH_TRUSTED_PROXY_COUNT: 'x' }, 'ALLAUTH_TRUSTED_PROXY_COUNT', 0)
      ),
      'ALLAUTH_TRUSTED_PROXY_COUNT: expected a non-negative whole number, got "x"'
    )
  })

  test('booleans are true/false/1/0', ({ assert }) => {
    assert.isTrue(read.bool({ X: 'true' }, 'X', false))
    assert.isTrue(read.bool({ X: '1' }, 'X', false))
    assert.isFalse(read.bool({ X: 'false' }, 'X', true))
    assert.isFalse(read.bool({ X: '0' }, 'X', true))
    assert.isTrue(read.bool({}, 'X', true))
    assert.equal(
      failure(() => read.bool({ X: 'yes' }, 'X', true)),
      'X: expected true, false, 1 or 0, got "yes"'
    )
  })

  test('enums accept only their values', ({ assert }) => {
    const formats = ['opaque', 'jwt'] as const
    assert.equal(read.oneOf({ F: 'jwt' }, 'F', formats, 'opaque'), 'jwt')
    assert.equal(read.oneOf({}, 'F', formats, 'opaque'), 'opaque')
    assert.equal(
      failure(() => read.oneOf({ F: 'xml' }, 'F', formats, 'opaque')),
      'F: expected one of opaque, jwt, got "xml"'
    )
    assert.equal(
      failure(() => read.oneOf({ F: 'JWT' }, 'F', formats, 'opaque')),
      'F: expected one of opaque, jwt, got "JWT"'
    )
  })
})

test.group('settings: IDP_OIDC_USER_CODE_FORMAT (docs/settings.md#user-code-format)', () => {
  const parse = (value?: string) =>
    read.userCodeFormat(
      value === undefined ? {} : { IDP_OIDC_USER_CODE_FORMAT: value },
      'IDP_OIDC_USER_CODE_FORMAT'
    )

  test('defaults: 8 letters, dashed; numeric gives 9 digits', ({ assert }) => {
    assert.deepEqual(parse(), { length: 8, numeric: false, dashed: true })
    assert.deepEqual(parse('{}'), { length: 8, numeric: false, dashed: true })
    assert.deepEqual(parse('{"numeric":true}'), { length: 9, numeric: true, dashed: true })
    assert.deepEqual(parse('{"length":6,"numeric":true,"dashed":false}'), {
      length: 6,
      numeric: true,
      dashed: false,
    })
    assert.deepEqual(parse('{"length":10}'), { length: 10, numeric: false, dashed: true })
  })

  test('bad formats are refused', ({ assert }) => {
    const bad = (value: string) => failure(() => parse(value))
    assert.equal(
      bad('[]'),
      'IDP_OIDC_USER_CODE_FORMAT: expected a JSON object such as {"length":8,"numeric":false,"dashed":true}'
    )
    assert.equal(
      bad('8'),
      'IDP_OIDC_USER_CODE_FORMAT: expected a JSON object such as {"length":8,"numeric":false,"dashed":true}'
    )
    assert.equal(bad('{"size":8}'), 'IDP_OIDC_USER_CODE_FORMAT: unknown key "size"')
    assert.equal(
      bad('{"numeric":"yes"}'),
      'IDP_OIDC_USER_CODE_FORMAT: "numeric" and "dashed" must be booleans'
    )
    assert.equal(
      bad('{"length":"8"}'),
      'IDP_OIDC_USER_CODE_FORMAT: "length" must be a whole number from 4 to 12'
    )
    assert.equal(
      bad('{"length":2.5}'),
      'IDP_OIDC_USER_CODE_FORMAT: "length" must be a whole number from 4 to 12'
    )
    assert.equal(
      bad('{"length":0}'),
      'IDP_OIDC_USER_CODE_FORMAT: "length" must be a whole number from 4 to 12'
    )
    assert.equal(bad('{length:8}'), 'IDP_OIDC_USER_CODE_FORMAT: is not valid JSON')
  })
})

test.group('settings: URLs and audience', () => {
  test('APP_URL must be a bare http(s) origin; the issuer has no trailing slash', ({ assert }) => {
    assert.equal(
      read.issuerOrigin({ APP_URL: 'https://id.example.com/' }, 'APP_URL'),
      'https://id.example.com'
    )
    assert.equal(
      read.issuerOrigin({ APP_URL: 'http://127.0.0.1:3333' }, 'APP_URL'),
      'http://127.0.0.1:3333'
    )
    assert.equal(
      read.issuerOrigin({ APP_URL: 'https://id.example.com:443' }, 'APP_URL'),
      'https://id.example.com'
    )
    assert.isNull(read.issuerOrigin({ APP_URL: '' }, 'APP_URL'))
    for (const value of [
      'https://a.example/path',
      'https://a.example/?x=1',
      'https://a.example/#f',
      'https://u@a.example',
      'https://:pw@a.example',
      'ftp://a.example',
      'a.example',
      '/',
    ]) {
      assert.equal(
        failure(() => read.issuerOrigin({ APP_URL: value }, 'APP_URL')),
        `APP_URL: expected a bare origin such as https://id.example.com, got "${value}"`
      )
    }
  })

  test('IDP_OIDC_USERINFO_ENDPOINT must be an absolute http(s) URL', ({ assert }) => {
    assert.equal(
      read.absoluteUrl({ U: 'https://api.example/userinfo' }, 'U'),
      'https://api.example/userinfo'
    )
    assert.isNull(read.absoluteUrl({}, 'U'))
    for (const value of ['/userinfo', 'mailto:a@b.example', 'not a url']) {
      assert.equal(
        failure(() => read.absoluteUrl({ U: value }, 'U')),
        `U: expected an absolute http(s) URL, got "${value}"`
      )
    }
  })

  test('IDP_OIDC_ACCESS_TOKEN_AUDIENCE: unset, empty, a string or a JSON array', ({ assert }) => {
    const A = 'IDP_OIDC_ACCESS_TOKEN_AUDIENCE'
    assert.isUndefined(read.audience({}, A))
    assert.isNull(read.audience({ [A]: '' }, A))
    assert.equal(read.audience({ [A]: 'https://api.example' }, A), 'https://api.example')
    assert.deepEqual(read.audience({ [A]: '["a","b"]' }, A), ['a', 'b'])
    assert.equal(
      failure(() => read.audience({ [A]: '[]' }, A)),
      `${A}: expected a string or a non-empty JSON array of strings`
    )
    assert.equal(
      failure(() => read.audience({ [A]: '["a",1]' }, A)),
      `${A}: expected a string or a non-empty JSON array of strings`
    )
    assert.equal(
      failure(() => read.audience({ [A]: '[a' }, A)),
      `${A}: is not valid JSON`
    )
  })
})

test.group('settings: IDP_OIDC_PRIVATE_KEY', () => {
  const K = 'IDP_OIDC_PRIVATE_KEY'

  test('RSA (PKCS#8 and PKCS#1), P-256 and Ed25519 are read', ({ assert }) => {
    assert.equal(read.privateKey({ [K]: pem('rsa') }, K)!.asymmetricKeyType, 'rsa')
    assert.equal(read.privateKey({ [K]: pem('rsa', 'pkcs1') }, K)!.asymmetricKeyType, 'rsa')
    assert.equal(
      read.privateKey({ [K]: pem('ec') }, K)!.asymmetricKeyDetails?.namedCurve,
      'prime256v1'
    )
    assert.equal(read.privateKey({ [K]: pem('ed25519') }, K)!.asymmetricKeyType, 'ed25519')
    assert.isNull(read.privateKey({}, K))
  })

  test('a PEM with \\n escapes instead of newlines is read', ({ assert }) => {
    const text = pem('ed25519')
    const escaped = text.trim().replace(/\n/g, '\\n')
    assert.notInclude(escaped, '\n')
    const key = read.privateKey({ [K]: escaped }, K)!
    assert.equal(key.export({ type: 'pkcs8', format: 'pem' }), text)
  })

  test('unreadable and unsupported keys are refused', ({ assert }) => {
    assert.equal(
      failure(() => read.privateKey({ [K]: 'garbage' }, K)),
      `${K}: is not a readable unencrypted PKCS#8 or PKCS#1 PEM private key`
    )
    const encrypted = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({
      type: 'pkcs8',
      format: 'pem',
      cipher: 'aes-256-cbc',
      passphrase: 'pw',
    }) as string
    assert.equal(
      failure(() => read.privateKey({ [K]: encrypted }, K)),
      `${K}: is not a readable unencrypted PKCS#8 or PKCS#1 PEM private key`
    )
    const publicPem = generateKeyPairSync('ed25519').publicKey.export({
      type: 'spki',
      format: 'pem',
    }) as string
    assert.equal(
      failure(() => read.privateKey({ [K]: publicPem }, K)),
      `${K}: is not a readable unencrypted PKCS#8 or PKCS#1 PEM private key`
    )
    assert.equal(
      failure(() => read.privateKey({ [K]: pem('x25519') }, K)),
      `${K}: unsupported key type x25519; use RSA, P-256 or Ed25519`
    )
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey.export({
      type: 'pkcs8',
      format: 'pem',
    }) as string
    assert.equal(
      failure(() => read.privateKey({ [K]: p384 }, K)),
      `${K}: unsupported key type ec (secp384r1); use RSA, P-256 or Ed25519`
    )
  })
})
