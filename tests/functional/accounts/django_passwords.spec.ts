import { test } from '@japa/runner'
import hash from '@adonisjs/core/services/hash'
import User from '#models/user'
import { signsIn } from '#tests/helpers/browser'
import { createUser } from '#tests/helpers/factories'
import { rehashPassword } from '#services/accounts/passwords/stored_passwords'

/* Published vectors (Django's tests/auth_tests/test_hashers.py; passlib's Django handler tests) */
const DJANGO_HASHES = [
  {
    password: 'lètmein',
    encoded: 'pbkdf2_sha256$600000$seasalt$OAXyhAQ/4ZDA9V5RMExt3C1OwQdUpLZ99vm1McFlLRA=',
  },
  { password: 'lètmein', encoded: 'pbkdf2_sha1$600000$seasalt2$2CLsaL1MZhq6JOG6QOHtVbiopHE=' },
  {
    password: 'secret',
    encoded: 'argon2$argon2id$v=19$m=102400,t=2,p=8$Y041dExhNkljRUUy$TMa6A8fPJhCAUXRhJXCXdw',
  },
  {
    password: 'lètmein',
    encoded: 'bcrypt_sha256$$2a$08$NDjSAIcas.EcoxCRiArvT.MkNiPYVhrsrnJsRkLueZOoV1bsQqlmC',
  },
  {
    password: 'lètmein',
    encoded:
      'scrypt$16384$seasalt$8$1$Qj3+9PPyRjSJIebHnG81TMjsqtaIGxNQG/aEB/NYafTJ7tibgfYz71m0ldQESkXFRkdVCBhhY8mx7rQwite/Pw==',
  },
]

/** A user whose stored password is `stored`, as the import or user:create --password-hash writes it */
async function userWithStoredPassword(stored: string) {
  const { user, email } = await createUser()
  await User.query().where('id', user.id).update({ password: stored })
  return { id: user.id, email }
}

const storedPassword = async (id: number) => (await User.findOrFail(id)).password

test.group('Sign-in with a password hash brought over from Django', () => {
  for (const { password, encoded } of DJANGO_HASHES) {
    const algorithm = encoded.split('$')[0]
    test(`${algorithm}: the old password signs in, and the hash is rewritten with ours`, async ({
      assert,
    }) => {
      const { id, email } = await userWithStoredPassword(encoded)
      const updatedAt = (await User.findOrFail(id)).updatedAt.toISO()

      assert.isFalse(await signsIn(email, `${password}x`))
      assert.equal(await storedPassword(id), encoded, 'a failed attempt changes nothing')

      assert.isTrue(await signsIn(email, password))
      const rewritten = await storedPassword(id)
      assert.notEqual(rewritten, encoded)
      assert.isTrue(hash.isValidHash(rewritten) && !hash.needsReHash(rewritten))
      assert.isTrue(await hash.verify(rewritten, password))
      assert.equal((await User.findOrFail(id)).updatedAt.toISO(), updatedAt)

      assert.isTrue(await signsIn(email, password), 'the same password works with the new hash')
      assert.isFalse(await signsIn(email, `${password}x`))
    }).timeout(20_000)
  }

  test('two sign-ins at once both succeed and leave one working hash', async ({ assert }) => {
    const { password, encoded } = DJANGO_HASHES[0]
    const { id, email } = await userWithStoredPassword(encoded)
    const results = await Promise.all([signsIn(email, password), signsIn(email, password)])
    assert.deepEqual(results, [true, true])
    const rewritten = await storedPassword(id)
    assert.isTrue(hash.isValidHash(rewritten) && (await hash.verify(rewritten, password)))
  }).timeout(20_000)

  test('the rewrite applies only while the column still holds the hash that was checked', async ({
    assert,
  }) => {
    const { password, encoded } = DJANGO_HASHES[0]
    const { id } = await userWithStoredPassword(encoded)
    const changedMeanwhile = await hash.make('a newer password')
    await User.query().where('id', id).update({ password: changedMeanwhile })

    await rehashPassword(id, encoded, password)
    assert.equal(await storedPassword(id), changedMeanwhile)
  })

  test('a user without a password (Django’s unusable "!…") cannot sign in with anything', async ({
    assert,
  }) => {
    for (const stored of ['!', '!Zp6bU1yB3CbLqCTFrKgC9dn7dLJtHzmZkCtcxJQa']) {
      const { id, email } = await userWithStoredPassword(stored)
      for (const attempt of [stored, '!', 'password'])
        assert.isFalse(await signsIn(email, attempt), `${stored} / ${attempt}`)
      assert.equal(await storedPassword(id), stored)
    }
  })
})
