import { test } from '@japa/runner'
import { passwordProblems as problemMessages } from '#services/accounts/passwords/validation'
import { translator } from '#services/i18n/locale'

/** The problems as the English page writes them */
async function passwordProblems(...args: Parameters<typeof problemMessages>) {
  const english = translator('en')
  return (await problemMessages(...args)).map((problem) => english.t(problem.key, problem.values))
}

test.group("passwords: Django's validators", () => {
  test('a good password passes', async ({ assert }) => {
    assert.deepEqual(await passwordProblems('correct horse battery', { username: 'ada' }), [])
  })

  test('shorter than ACCOUNT_PASSWORD_MIN_LENGTH (6) is refused', async ({ assert }) => {
    assert.include(
      await passwordProblems('x7#Qz', {}),
      'This password is too short. It must contain at least 6 characters.'
    )
    assert.deepEqual(await passwordProblems('x7#Qzk', {}), [])
  })

  test('common passwords are refused in any letter case', async ({ assert }) => {
    for (const password of ['password', 'PassWord', 'qwerty123', 'iloveyou', 'dragon'])
      assert.include(await passwordProblems(password, {}), 'This password is too common.', password)
  })

  test('all-digit passwords are refused', async ({ assert }) => {
    assert.include(await passwordProblems('80417362951', {}), 'This password is entirely numeric.')
  })

  test('a password close to the username, a name or the email address is refused', async ({
    assert,
  }) => {
    assert.include(
      await passwordProblems('grace.hopper1', { username: 'gracehopper' }),
      'The password is too similar to the username.'
    )
    assert.include(
      await passwordProblems('Lovelace!!', { lastName: 'Lovelace' }),
      'The password is too similar to the last name.'
    )
    /* the parts of an address count on their own, as in Django */
    assert.include(
      await passwordProblems('babbage-engine', { email: 'babbage@engine.example' }),
      'The password is too similar to the email address.'
    )
    assert.deepEqual(
      await passwordProblems('a long and unrelated passphrase', { username: 'ab' }),
      [],
      'a far longer password is not similar to a short value'
    )
  })
})
