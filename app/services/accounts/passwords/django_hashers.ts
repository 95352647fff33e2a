/**
 * Django's password hash formats (django.contrib.auth.hashers), so that users
 * and client secrets brought over from a Django site keep working: the value
 * is parsed strictly, the password is hashed again with the stored
 * parameters (node:crypto, bcryptjs for bcrypt) and the results are compared
 * in constant time. Formats (docs/allauth-migration.md):
 *
 *   pbkdf2_sha256$<iterations>$<salt>$<base64>   Django's default
 *   pbkdf2_sha1$<iterations>$<salt>$<base64>
 *   argon2$argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt b64>$<hash b64>   (also argon2i, argon2d)
 *   bcrypt_sha256$$2b$<cost>$<salt+hash>          bcrypt of the hex SHA-256 of the password
 *   bcrypt$$2b$<cost>$<salt+hash>
 *   scrypt$<N>$<salt>$<r>$<p>$<base64>
 *
 * Argon2 hashes without `v=19` (argon2-cffi before 16, 2016) use Argon2
 * version 1.0, which node:crypto does not compute: they are not recognised.
 */
import { argon2, createHash, pbkdf2, scrypt, timingSafeEqual } from 'node:crypto'
import { promisify } from 'node:util'
import bcrypt from 'bcryptjs'

const pbkdf2Async = promisify(pbkdf2)

const B64 = '[A-Za-z0-9+/]+={0,2}'
/** A Django salt: anything but `$` */
const SALT = '[^$]+'

type Verifier = (password: string, match: RegExpExecArray) => Promise<boolean>

function sameBytes(expected: Buffer, actual: Buffer) {
  return expected.length === actual.length && timingSafeEqual(expected, actual)
}

/** Standard base64 with or without its padding, as both Django and argon2 write it */
const fromBase64 = (value: string) => Buffer.from(value, 'base64')

function pbkdf2Verifier(digest: 'sha256' | 'sha1'): Verifier {
  return async (password, [, iterations, salt, hash]) => {
    const expected = fromBase64(hash)
    const actual = await pbkdf2Async(password, salt, Number(iterations), expected.length, digest)
    return sameBytes(expected, actual)
  }
}

const argon2Verifier: Verifier = async (
  password,
  [, variant, memory, passes, lanes, salt, hash]
) => {
  const expected = fromBase64(hash)
  const actual = await new Promise<Buffer>((resolve, reject) =>
    argon2(
      variant as 'argon2id' | 'argon2i' | 'argon2d',
      {
        message: password,
        nonce: fromBase64(salt),
        parallelism: Number(lanes),
        tagLength: expected.length,
        memory: Number(memory),
        passes: Number(passes),
      },
      (error, key) => (error ? reject(error) : resolve(key))
    )
  )
  return sameBytes(expected, actual)
}

/** bcryptjs compares the whole encoded string in constant time */
function bcryptVerifier(prehash: boolean): Verifier {
  return (password, [, encoded]) =>
    bcrypt.compare(
      prehash ? createHash('sha256').update(password).digest('hex') : password,
      encoded
    )
}

const scryptVerifier: Verifier = async (password, [, cost, salt, blockSize, lanes, hash]) => {
  const expected = fromBase64(hash)
  const N = Number(cost)
  const r = Number(blockSize)
  const actual = await new Promise<Buffer>((resolve, reject) =>
    scrypt(
      password,
      salt,
      expected.length,
      /* node refuses to use more than maxmem, about 128·N·r bytes here */
      { N, r, p: Number(lanes), maxmem: 256 * N * r },
      (error, key) => (error ? reject(error) : resolve(key))
    )
  )
  return sameBytes(expected, actual)
}

const BCRYPT = '(\\$2[aby]\\$\\d{2}\\$[./A-Za-z0-9]{53})'

/** Each format: its algorithm name (Django's), its exact shape, and how to check it */
const FORMATS: { algorithm: string; pattern: RegExp; verify: Verifier }[] = [
  {
    algorithm: 'pbkdf2_sha256',
    pattern: new RegExp(`^pbkdf2_sha256\\$(\\d+)\\$(${SALT})\\$(${B64})$`),
    verify: pbkdf2Verifier('sha256'),
  },
  {
    algorithm: 'pbkdf2_sha1',
    pattern: new RegExp(`^pbkdf2_sha1\\$(\\d+)\\$(${SALT})\\$(${B64})$`),
    verify: pbkdf2Verifier('sha1'),
  },
  {
    algorithm: 'argon2',
    pattern: new RegExp(
      `^argon2\\$(argon2id|argon2i|argon2d)\\$v=19\\$m=(\\d+),t=(\\d+),p=(\\d+)\\$(${B64})\\$(${B64})$`
    ),
    verify: argon2Verifier,
  },
  {
    algorithm: 'bcrypt_sha256',
    pattern: new RegExp(`^bcrypt_sha256\\$${BCRYPT}$`),
    verify: bcryptVerifier(true),
  },
  {
    algorithm: 'bcrypt',
    pattern: new RegExp(`^bcrypt\\$${BCRYPT}$`),
    verify: bcryptVerifier(false),
  },
  {
    algorithm: 'scrypt',
    pattern: new RegExp(`^scrypt\\$(\\d+)\\$(${SALT})\\$(\\d+)\\$(\\d+)\\$(${B64})$`),
    verify: scryptVerifier,
  },
]

function formatOf(stored: string) {
  for (const format of FORMATS) {
    const match = format.pattern.exec(stored)
    if (match) return { format, match }
  }
  return null
}

/** The Django algorithm of a stored value this module can verify, or null */
export function djangoAlgorithm(stored: string): string | null {
  return formatOf(stored)?.format.algorithm ?? null
}

/** Whether `password` matches a Django hash; false for any value this module does not recognise */
export async function verifyDjangoHash(stored: string, password: string): Promise<boolean> {
  const found = formatOf(stored)
  if (!found) return false
  try {
    return await found.format.verify(password, found.match)
  } catch {
    /* parameters the library refuses (an argon2 salt under 8 bytes, …) cannot match */
    return false
  }
}
