import { test } from '@japa/runner'
import {
  randomFamilyId,
  randomJti,
  randomString,
  randomValue,
} from '#services/oidc/protocol/random'

test.group('Random values (pooled from node:crypto)', () => {
  test('each value is new, across many refills of the pool', ({ assert }) => {
    /* 64 bytes a value: 2,000 values draw the 4 KiB pool about 31 times over */
    const values = Array.from({ length: 2000 }, () => randomValue(64))
    assert.equal(new Set(values).size, values.length)
    for (const value of values) assert.match(value, /^[A-Za-z0-9_-]{86}$/)
  })

  test('values have the length and alphabet of their encoding', ({ assert }) => {
    assert.match(randomJti(), /^[0-9a-f]{32}$/)
    assert.match(randomFamilyId(), /^[A-Za-z0-9_-]{22}$/)
    assert.match(randomString(16, 'base64'), /^[A-Za-z0-9+/]{22}==$/)
  })

  test('a value that would overrun the pool comes from a fresh fill, not a short slice', ({
    assert,
  }) => {
    for (let i = 0; i < 100; i++) assert.lengthOf(randomString(1000, 'hex'), 2000)
  })

  test('family ids start with the time, so ids made together share a prefix', ({ assert }) => {
    const before = Date.now()
    const id = randomFamilyId()
    const after = Date.now()
    const issued = Buffer.from(id, 'base64url').readUIntBE(0, 6)
    assert.isAtLeast(issued, before)
    assert.isAtMost(issued, after)
    assert.notEqual(randomFamilyId(), randomFamilyId())
  })
})
