import { generateKeyPairSync } from 'node:crypto'
import { DateTime } from 'luxon'
import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import type { Assert } from '@japa/assert'
import OidcSigningKey from '#models/oidc_signing_key'
import { sqlTime } from '#models/columns'
import { runBoot, type Env } from '#tests/helpers/app_process'
import { keepSigningKeys } from '#tests/helpers/signing_keys'
import { runAce } from '#tests/helpers/ace_process'

const rsaPem = () =>
  generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({
    type: 'pkcs8',
    format: 'pem',
  }) as string

/** docs/settings.md: the server stops at boot, exit code 1, one line on stderr naming the variable, nothing else */
async function assertBootError(assert: Assert, env: Env, line: string) {
  const { exitCode, stdout, stderr } = await runBoot(env)
  assert.equal(stderr, `${line}\n`)
  assert.equal(exitCode, 1)
  assert.equal(stdout, '')
}

test.group('Boot errors (docs/settings.md)', (group) => {
  group.each.timeout(60_000)

  const cases: { env: Env; line: string }[] = [
    {
      env: { IDP_OIDC_ACCESS_TOKEN_FORMAT: 'xml' },
      line: 'error: IDP_OIDC_ACCESS_TOKEN_FORMAT: expected one of opaque, jwt, got "xml"',
    },
    {
      env: { IDP_OIDC_RATE_LIMITS: '{"login":"5/x"}' },
      line: 'error: IDP_OIDC_RATE_LIMITS: bad rate "5/x"; expected amount/duration[/per], e.g. 5/m/ip',
    },
    {
      env: { IDP_OIDC_RATE_LIMITS: '{"login":' },
      line: 'error: IDP_OIDC_RATE_LIMITS: is not valid JSON',
    },
    {
      env: { ACCOUNT_EMAIL_VERIFICATION: 'always' },
      line: 'error: ACCOUNT_EMAIL_VERIFICATION: expected one of none, optional, mandatory, got "always"',
    },
    {
      env: { ACCOUNT_RATE_LIMITS: '{"sign_up":"5/m"}' },
      line: 'error: ACCOUNT_RATE_LIMITS: unknown action "sign_up"',
    },
    {
      env: { ACCOUNT_RATE_LIMITS: '{"signup":"5/q"}' },
      line: 'error: ACCOUNT_RATE_LIMITS: bad rate "5/q"; expected amount/duration[/per], e.g. 5/m/ip',
    },
    {
      env: { ACCOUNT_LOGIN_METHODS: 'email,phone' },
      line: 'error: ACCOUNT_LOGIN_METHODS: expected email, username or both, got "phone"',
    },
    {
      env: { ACCOUNT_PASSWORD_MIN_LENGTH: '0' },
      line: 'error: ACCOUNT_PASSWORD_MIN_LENGTH: expected a whole number of at least 1, got "0"',
    },
    {
      env: { SMTP_PORT: '70000' },
      line: 'error: SMTP_PORT: expected a port from 1 to 65535, got "70000"',
    },
    {
      env: { IDP_OIDC_ACCESS_TOKEN_EXPIRES_IN: '-5' },
      line: 'error: IDP_OIDC_ACCESS_TOKEN_EXPIRES_IN: expected a non-negative whole number of seconds, got "-5"',
    },
    {
      env: { SESSION_IDLE_TIMEOUT: '2h' },
      line: 'error: SESSION_IDLE_TIMEOUT: expected a non-negative whole number of seconds, got "2h"',
    },
    {
      env: { SESSION_COOKIE_AGE: '0' },
      line: 'error: SESSION_COOKIE_AGE: must be at least 1 second',
    },
    {
      env: { IDP_OIDC_ROTATE_REFRESH_TOKEN: 'maybe' },
      line: 'error: IDP_OIDC_ROTATE_REFRESH_TOKEN: expected true, false, 1 or 0, got "maybe"',
    },
    {
      env: { IDP_OIDC_USER_CODE_FORMAT: '{"length":"8"}' },
      line: 'error: IDP_OIDC_USER_CODE_FORMAT: "length" must be a whole number from 4 to 12',
    },
    {
      env: { IDP_OIDC_USERINFO_ENDPOINT: '/userinfo' },
      line: 'error: IDP_OIDC_USERINFO_ENDPOINT: expected an absolute http(s) URL, got "/userinfo"',
    },
    {
      env: { APP_URL: 'https://a.example/path' },
      line: 'error: APP_URL: expected a bare origin such as https://id.example.com, got "https://a.example/path"',
    },
    {
      env: { ALLAUTH_TRUSTED_PROXY_COUNT: 'two' },
      line: 'error: ALLAUTH_TRUSTED_PROXY_COUNT: expected a non-negative whole number, got "two"',
    },
    {
      env: { IDP_OIDC_PRIVATE_KEY: 'garbage' },
      line: 'error: IDP_OIDC_PRIVATE_KEY: is not a readable unencrypted PKCS#8 or PKCS#1 PEM private key',
    },
    {
      env: { IDP_OIDC_SIGNING_ALG: 'ES256', IDP_OIDC_PRIVATE_KEY: rsaPem() },
      line: 'error: IDP_OIDC_SIGNING_ALG: is ES256 but IDP_OIDC_PRIVATE_KEY is a RS256 key',
    },
    {
      env: { IDP_OIDC_SIGNING_ALG: 'HS256' },
      line: 'error: IDP_OIDC_SIGNING_ALG: expected one of RS256, ES256, EdDSA, got "HS256"',
    },
    {
      env: { IDP_OIDC_ADAPTER: '#services/nope' },
      line: `error: IDP_OIDC_ADAPTER: cannot load "#services/nope": Cannot find module '${app.makePath('app/services/nope.js')}' imported from ${app.makePath('app/services/oidc/adapter/loader.ts')}`,
    },
    /* A misspelt variable would be ignored and its default silently used */
    {
      env: { IDP_OIDC_ACCES_TOKEN_EXPIRES_IN: '60' },
      line: 'error: IDP_OIDC_ACCES_TOKEN_EXPIRES_IN: not a setting of this app; did you mean IDP_OIDC_ACCESS_TOKEN_EXPIRES_IN?',
    },
    {
      env: { ALLAUTH_TRUSTED_PROXY_COUNTS: '1' },
      line: 'error: ALLAUTH_TRUSTED_PROXY_COUNTS: not a setting of this app; did you mean ALLAUTH_TRUSTED_PROXY_COUNT?',
    },
    {
      env: { MFA_RECOVERY_CODES_COUNT: '12' },
      line: 'error: MFA_RECOVERY_CODES_COUNT: not a setting of this app; did you mean MFA_RECOVERY_CODE_COUNT?',
    },
    {
      env: { MFA_SUPPORTED_TYPES: 'totp,sms' },
      line: 'error: MFA_SUPPORTED_TYPES: expected a comma-separated list of totp, recovery_codes and webauthn, got "sms"',
    },
    {
      env: { MFA_TOTP_DIGITS: '4' },
      line: 'error: MFA_TOTP_DIGITS: expected a whole number from 6 to 8, got "4"',
    },
    {
      env: { ADMIN_REQUIRE_MFA: 'sometimes' },
      line: 'error: ADMIN_REQUIRE_MFA: expected true, false, 1 or 0, got "sometimes"',
    },
    {
      env: { ADMIN_REQUIRES_MFA: 'false' },
      line: 'error: ADMIN_REQUIRES_MFA: not a setting of this app; did you mean ADMIN_REQUIRE_MFA?',
    },
    {
      env: { ACCOUNT_EMAIL_VERIFICATON: 'mandatory' },
      line: 'error: ACCOUNT_EMAIL_VERIFICATON: not a setting of this app; did you mean ACCOUNT_EMAIL_VERIFICATION?',
    },
    {
      env: { ACCOUNT_FAVOURITE_COLOUR: 'blue' },
      line: 'error: ACCOUNT_FAVOURITE_COLOUR: not a setting of this app (README.md, Settings, lists them)',
    },
    /* The framework's own env validation gets the same one line */
    {
      env: { LIMITER_STORE: 'files' },
      line: 'error: "LIMITER_STORE" env variable must be one of "database,redis,memory" (Current value: "files")',
    },
  ]

  const named = (env: Env) =>
    Object.entries(env)
      .map(([key, value]) => `${key}=${value!.includes('\n') ? '<PEM>' : value}`)
      .join(' ')

  test('{name} stops the boot with one line')
    .with(cases.map(({ env, line }) => ({ name: named(env), env, line })))
    .run(async ({ assert }, { env, line }) => {
      await assertBootError(assert, env, line)
    })

  test('no signing key for IDP_OIDC_SIGNING_ALG stops the boot', async ({ assert, cleanup }) => {
    cleanup(await keepSigningKeys())
    /* Whatever other tests left: no EdDSA key signs now */
    await OidcSigningKey.query()
      .where('alg', 'EdDSA')
      .update({ retired_at: sqlTime(DateTime.utc().minus({ days: 1 })) })
    await assertBootError(
      assert,
      { IDP_OIDC_SIGNING_ALG: 'EdDSA' },
      'error: no EdDSA signing key in the database; run `node ace keys:generate --alg EdDSA` first'
    )
  })

  test('a stored key that APP_KEY cannot decrypt stops the boot', async ({ assert }) => {
    const kid = (await OidcSigningKey.query().orderBy('id').firstOrFail()).kid
    await assertBootError(
      assert,
      { APP_KEY: 'another-key-0123456789-abcdefghijklmnopqrstuvwxyz' },
      `error: APP_KEY: cannot decrypt signing key ${kid}; was APP_KEY changed?`
    )
  })
})

test.group('Boot errors in ace commands', (group) => {
  group.each.timeout(60_000)

  /* `npm start` runs migration:run and keys:generate first: a bad setting must read the same there */
  test('{$self} prints the same one line and exits 1')
    .with(['migration:run --no-schema-generate', 'keys:generate --if-missing', 'keys:list --json'])
    .run(async ({ assert }, command) => {
      for (const [env, line] of [
        [
          { IDP_OIDC_ACCESS_TOKEN_FORMAT: 'xml' },
          'error: IDP_OIDC_ACCESS_TOKEN_FORMAT: expected one of opaque, jwt, got "xml"\n',
        ],
        [
          { IDP_OIDC_SIGNIN_ALG: 'ES256' },
          'error: IDP_OIDC_SIGNIN_ALG: not a setting of this app; did you mean IDP_OIDC_SIGNING_ALG?\n',
        ],
      ] as const) {
        const failed = await runAce(command.split(' '), env)
        assert.equal(failed.stderr, line)
        assert.equal(failed.stdout, '')
        assert.equal(failed.code, 1)
      }
    })
})
