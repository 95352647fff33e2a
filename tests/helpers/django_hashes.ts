/**
 * Password hashes made the way Django's hashers make them (make_password with
 * a given salt), with node:crypto and bcryptjs, for the rows of a test's
 * allauth database. That the format is Django's is proven separately by the
 * published vectors in tests/unit/django_hashers.spec.ts; these reproduce
 * the same steps with fresh salts and small work factors.
 */
import { argon2Sync, createHash, pbkdf2Sync, randomBytes, scryptSync } from 'node:crypto'
import bcrypt from 'bcryptjs'

/** Django's get_random_string(22): letters and digits */
function djangoSalt() {
  const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'
  return [...randomBytes(22)].map((byte) => alphabet[byte % alphabet.length]).join('')
}

/** PBKDF2PasswordHasher.encode: base64 of PBKDF2-HMAC-SHA256 over the salt string */
export function djangoPbkdf2(password: string, iterations = 1000, salt = djangoSalt()) {
  const hash = pbkdf2Sync(password, salt, iterations, 32, 'sha256').toString('base64')
  return `pbkdf2_sha256$${iterations}$${salt}$${hash}`
}

/** Argon2PasswordHasher.encode: argon2-cffi's encoded form (salt bytes and hash in unpadded base64) after "argon2" */
export function djangoArgon2(password: string, salt = djangoSalt()) {
  const parameters = { memory: 64, passes: 1, parallelism: 1 }
  const hash = argon2Sync('argon2id', {
    message: password,
    nonce: Buffer.from(salt),
    tagLength: 32,
    ...parameters,
  })
  const b64 = (bytes: Buffer) => bytes.toString('base64').replace(/=+$/, '')
  return `argon2$argon2id$v=19$m=${parameters.memory},t=${parameters.passes},p=${parameters.parallelism}$${b64(Buffer.from(salt))}$${b64(hash)}`
}

/** BCryptSHA256PasswordHasher.encode: bcrypt of the hex SHA-256 of the password */
export function djangoBcryptSha256(password: string) {
  const prehashed = createHash('sha256').update(password).digest('hex')
  return `bcrypt_sha256$${bcrypt.hashSync(prehashed, bcrypt.genSaltSync(4))}`
}

/** ScryptPasswordHasher.encode: scrypt$N$salt$r$p$base64, 64-byte key */
export function djangoScrypt(password: string, salt = djangoSalt()) {
  const [N, r, p] = [1024, 8, 1]
  const hash = scryptSync(password, salt, 64, { N, r, p }).toString('base64')
  return `scrypt$${N}$${salt}$${r}$${p}$${hash}`
}

/** make_password(None): "!" and 40 random characters */
export function djangoUnusable() {
  return `!${djangoSalt()}${djangoSalt()}`.slice(0, 41)
}

/** allauth's adapter.hash_token: unsalted SHA-256 hex of the token value */
export function allauthTokenHash(value: string) {
  return createHash('sha256').update(value, 'utf8').digest('hex')
}
