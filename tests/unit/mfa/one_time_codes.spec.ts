import { test } from '@japa/runner'
import { matchingStep } from '#services/mfa/totp'
import { deriveRecoveryCodes } from '#services/mfa/recovery_codes'
import { combineMethods } from '#services/mfa/authentication_methods'
import { hotp } from '#tests/helpers/mfa'

/* RFC 6238 Appendix B, SHA-1: the ASCII secret "12345678901234567890", 8 digits, 30 s steps */
const RFC_SECRET_ASCII = '12345678901234567890'
const RFC_SECRET_BASE32 = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ'
const RFC_VECTORS: [number, string][] = [
  [59, '94287082'],
  [1111111109, '07081804'],
  [1111111111, '14050471'],
  [1234567890, '89005924'],
  [2000000000, '69279037'],
  [20000000000, '65353130'],
]

test.group('TOTP (RFC 6238)', () => {
  test('the test helper reproduces the RFC 6238 SHA-1 vectors', ({ assert }) => {
    for (const [time, code] of RFC_VECTORS)
      assert.equal(hotp(Buffer.from(RFC_SECRET_ASCII), Math.floor(time / 30), 8), code, `T=${time}`)
  })

  test('the app accepts each vector in its 6 digits, at its step', ({ assert }) => {
    for (const [time, code] of RFC_VECTORS) {
      const step = matchingStep(RFC_SECRET_BASE32, code.slice(-6), time * 1000)
      assert.equal(step, Math.floor(time / 30), `T=${time}`)
    }
  })

  test('one step of drift either side is accepted, two are not', ({ assert }) => {
    const time = 1234567890
    const step = Math.floor(time / 30)
    const codeAt = (counter: number) => hotp(Buffer.from(RFC_SECRET_ASCII), counter)
    assert.equal(matchingStep(RFC_SECRET_BASE32, codeAt(step - 1), time * 1000), step - 1)
    assert.equal(matchingStep(RFC_SECRET_BASE32, codeAt(step + 1), time * 1000), step + 1)
    assert.isNull(matchingStep(RFC_SECRET_BASE32, codeAt(step - 2), time * 1000))
    assert.isNull(matchingStep(RFC_SECRET_BASE32, codeAt(step + 2), time * 1000))
  })

  test('anything but the digits of a code is refused', ({ assert }) => {
    const time = 59_000
    for (const code of ['', '28708', '2870822', 'abcdef', '287O82'])
      assert.isNull(matchingStep(RFC_SECRET_BASE32, code, time), code)
    assert.equal(matchingStep(RFC_SECRET_BASE32, ' 287 082 ', time), 1)
  })
})

test.group('Recovery codes (allauth derivation)', () => {
  test('a seed gives the codes allauth derives from it', ({ assert }) => {
    /* computed with Python's hmac over "  0,", "  0,  1,", … as allauth.mfa's RecoveryCodes does */
    const seed = 'a4f9e0c2b7d13358e6a1f0b9c2d4e6f8a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3'
    assert.deepEqual(deriveRecoveryCodes(seed, 10, 8), [
      '56998896',
      '79425494',
      '47028812',
      '61412406',
      '70273973',
      '81294488',
      '84934357',
      '25625593',
      '94214588',
      '52645688',
    ])
  })

  test('a longer set starts with the same codes', ({ assert }) => {
    const seed = 'ff'.repeat(40)
    assert.deepEqual(
      deriveRecoveryCodes(seed, 12, 8).slice(0, 10),
      deriveRecoveryCodes(seed, 10, 8)
    )
  })
})

test.group('amr (RFC 8176)', () => {
  test('a password and a one-time code make mfa; each value once', ({ assert }) => {
    assert.deepEqual(combineMethods(['pwd'], ['otp']), ['pwd', 'otp', 'mfa'])
    assert.deepEqual(combineMethods(['pwd', 'otp', 'mfa'], ['otp']), ['pwd', 'otp', 'mfa'])
    assert.deepEqual(combineMethods([], ['otp']), ['otp'])
    assert.deepEqual(combineMethods(['pwd'], []), ['pwd'])
    assert.deepEqual(combineMethods(['pwd'], ['hwk']), ['pwd', 'hwk', 'mfa'])
  })
})
