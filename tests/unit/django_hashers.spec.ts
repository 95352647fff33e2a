import { test } from '@japa/runner'
import { djangoAlgorithm, verifyDjangoHash } from '#services/accounts/passwords/django_hashers'

/*
 * Published vectors, not values made by this code: Django's own test suite
 * (tests/auth_tests/test_hashers.py, Django 4.2–5.x) and passlib's Django
 * handler tests (passlib/tests/test_handlers_django.py), which check them
 * against Django's check_password.
 */
const VECTORS: { source: string; password: string; encoded: string; algorithm: string }[] = [
  {
    source: 'Django test_pbkdf2',
    password: 'lètmein',
    encoded: 'pbkdf2_sha256$600000$seasalt$OAXyhAQ/4ZDA9V5RMExt3C1OwQdUpLZ99vm1McFlLRA=',
    algorithm: 'pbkdf2_sha256',
  },
  {
    source: 'passlib django_pbkdf2_sha256',
    password: 'not a password',
    encoded: 'pbkdf2_sha256$10000$kjVJaVz6qsnJ$5yPHw3rwJGECpUf70daLGhOrQ5+AMxIJdz1c3bqK1Rs=',
    algorithm: 'pbkdf2_sha256',
  },
  {
    source: 'Django test_low_level_pbkdf2_sha1',
    password: 'lètmein',
    encoded: 'pbkdf2_sha1$600000$seasalt2$2CLsaL1MZhq6JOG6QOHtVbiopHE=',
    algorithm: 'pbkdf2_sha1',
  },
  {
    source: 'Django test_scrypt',
    password: 'lètmein',
    encoded:
      'scrypt$16384$seasalt$8$1$Qj3+9PPyRjSJIebHnG81TMjsqtaIGxNQG/aEB/NYafTJ7tibgfYz71m0ldQESkXFRkdVCBhhY8mx7rQwite/Pw==',
    algorithm: 'scrypt',
  },
  {
    source: 'Django test_argon2_version_upgrade (argon2id, Django’s default parameters)',
    password: 'secret',
    encoded: 'argon2$argon2id$v=19$m=102400,t=2,p=8$Y041dExhNkljRUUy$TMa6A8fPJhCAUXRhJXCXdw',
    algorithm: 'argon2',
  },
  {
    source: 'Django test_argon2 (argon2i with a version)',
    password: 'secret',
    encoded: 'argon2$argon2i$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$YC9+jJCrQhs5R6db7LlN8Q',
    algorithm: 'argon2',
  },
  {
    source: 'passlib django_argon2',
    password: 'lètmein',
    encoded: 'argon2$argon2i$v=19$m=512,t=2,p=2$V25jN1l4UUJZWkR1$MxpA1BD2Gh7+D79gaAw6sQ',
    algorithm: 'argon2',
  },
  {
    source: 'passlib django_bcrypt_sha256',
    password: 'lètmein',
    encoded: 'bcrypt_sha256$$2a$08$NDjSAIcas.EcoxCRiArvT.MkNiPYVhrsrnJsRkLueZOoV1bsQqlmC',
    algorithm: 'bcrypt_sha256',
  },
  {
    source: 'passlib django_bcrypt_sha256 (a password past bcrypt’s 72 bytes)',
    password: 'abc123'.repeat(12) + 'qwr',
    encoded: 'bcrypt_sha256$$2a$06$Tg/oYyZTyAf.Nb3qSgN61Ocy0BEz1RK6xslSNi8PlaLX2pe7x/KQG',
    algorithm: 'bcrypt_sha256',
  },
  {
    source: 'passlib django_bcrypt',
    password: 'abcdefghijklmnopqrstuvwxyz',
    encoded: 'bcrypt$$2a$10$fVH8e28OQRj9tqiDXs1e1uxpsjN0c7II7YPKXua2NAKYvM6iQk7dq',
    algorithm: 'bcrypt',
  },
]

test.group('Django password hashes', () => {
  for (const vector of VECTORS) {
    test(`${vector.source}: the password matches, a different one does not`, async ({ assert }) => {
      assert.equal(djangoAlgorithm(vector.encoded), vector.algorithm)
      assert.isTrue(await verifyDjangoHash(vector.encoded, vector.password))
      assert.isFalse(await verifyDjangoHash(vector.encoded, `${vector.password}z`))
      assert.isFalse(await verifyDjangoHash(vector.encoded, ''))
    }).timeout(10_000)
  }

  test('bcrypt_sha256 hashes the whole password: the same 72-byte prefix with another end does not match', async ({
    assert,
  }) => {
    const encoded = 'bcrypt_sha256$$2a$06$Tg/oYyZTyAf.Nb3qSgN61Ocy0BEz1RK6xslSNi8PlaLX2pe7x/KQG'
    assert.isFalse(await verifyDjangoHash(encoded, 'abc123'.repeat(12) + 'xyz'))
  })

  test('values that are not a Django hash it can verify are not recognised and never match', async ({
    assert,
  }) => {
    const unrecognised = [
      '!',
      '!Zp6bU1yB3CbLqCTFrKgC9dn7dLJtHzmZkCtcxJQa',
      'md5$seasalt$3f86d0d3d465b7b458c231bf3555c0e3',
      'sha1$$6d138ca3ae545631b3abd71a4f076ce759c5700b',
      /* argon2 version 1.0 (no v=): node:crypto computes 1.3 only */
      'argon2$argon2i$m=8,t=1,p=1$c29tZXNhbHQ$gwQOXSNhxiOxPOA0+PY10P9QFO4NAYysnqRt1GSQLE55m+2GYDt9FEjPMHhP2Cuf0nOEXXMocVrsJAtNSsKyfg',
      'pbkdf2_sha256$600000$seasalt',
      'pbkdf2_sha512$1000$salt$AAAA',
      '$scrypt$n=16384,r=8,p=1$c2FsdA$aGFzaA',
      'sha256$' + 'a'.repeat(64),
    ]
    for (const value of unrecognised) {
      assert.isNull(djangoAlgorithm(value), value)
      assert.isFalse(await verifyDjangoHash(value, 'secret'), value)
    }
  })
})
