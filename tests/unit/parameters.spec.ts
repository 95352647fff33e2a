/**
 * Strict decoding of query strings and form bodies: repeated names kept so
 * that they can be refused, bad percent-encoding and non-UTF-8 refused
 * instead of guessed at, `+` read as a space, an empty value read as absent.
 */
import { test } from '@japa/runner'
import {
  ParameterDecodeError,
  decodeParams,
  firstDuplicate,
  singleValues,
} from '#services/oidc/protocol/parameters'
import { acceptedBy } from '#tests/helpers/thrown'

/** The decoded parameters as a plain object, for deepEqual */
function decoded(text: string) {
  return Object.fromEntries(decodeParams(text))
}

/** The texts among `texts` that decode; the others must fail with a decode error */
const decodable = (texts: string[]) => acceptedBy(ParameterDecodeError, texts, decodeParams)

test.group('Parameters: decoding', () => {
  test('names and values are percent-decoded as UTF-8, in the order sent', ({ assert }) => {
    assert.deepEqual(
      [...decodeParams('b=2&a=%C3%A9t%C3%A9&redirect_uri=https%3A%2F%2Frp.example%2Fcb%3Fx%3D1')],
      [
        ['b', ['2']],
        ['a', ['été']],
        ['redirect_uri', ['https://rp.example/cb?x=1']],
      ]
    )
    assert.deepEqual(decoded('na%6De=v'), { name: ['v'] }, 'names are decoded too')
  })

  test('+ is a space, and %2B a plus', ({ assert }) => {
    assert.deepEqual(decoded('scope=openid+profile&the+name=a%2Bb'), {
      'scope': ['openid profile'],
      'the name': ['a+b'],
    })
  })

  test('a value may hold = signs; only the first one separates', ({ assert }) => {
    assert.deepEqual(decoded('state=a=b=c'), { state: ['a=b=c'] })
  })

  test('empty text, empty pairs and stray & give nothing', ({ assert }) => {
    assert.deepEqual(decoded(''), {})
    assert.deepEqual(decoded('&&a=1&&'), { a: ['1'] })
  })

  test('a name without = or with nothing after it has an empty value', ({ assert }) => {
    assert.deepEqual(decoded('flag&empty='), { flag: [''], empty: [''] })
  })

  test('a repeated name keeps every value, in order', ({ assert }) => {
    assert.deepEqual(decoded('scope=openid&state=s&scope=email&scope='), {
      scope: ['openid', 'email', ''],
      state: ['s'],
    })
  })

  test('bad percent-encoding, in a value or a name, is a decode error', ({ assert }) => {
    assert.deepEqual(decodable(['a=%ZZ', 'a=%', 'a=100%', 'a=%E0%A4%A', '%zz=1', 'ok=1&b=%G1']), [])
  })

  test('percent-encoded bytes that are not UTF-8 are a decode error', ({ assert }) => {
    const notUtf8 = [
      'a=%FF',
      'a=%C3',
      'a=%C3%28',
      'a=%C0%AF',
      'a=%ED%A0%80',
      'a=%F4%90%80%80',
      '%E9t%E9=1',
    ]
    assert.deepEqual(decodable(notUtf8), [])
  })

  test('raw bytes that were not UTF-8 (read as U+FFFD) are a decode error', ({ assert }) => {
    assert.deepEqual(decodable(['a=b\uFFFDc', '\uFFFD=1']), [])
    assert.deepEqual(
      decoded('a=%EF%BF%BD'),
      { a: ['\uFFFD'] },
      'an encoded U+FFFD is a character like any other'
    )
  })
})

test.group('Parameters: single values and repeated names', () => {
  test('each name gives its first value', ({ assert }) => {
    assert.deepEqual(singleValues(decodeParams('a=1&b=2&a=3')), { a: '1', b: '2' })
  })

  test('an empty value counts as absent', ({ assert }) => {
    assert.deepEqual(singleValues(decodeParams('state=&nonce&scope=openid')), {
      scope: 'openid',
    })
  })

  test('the first repeated name is found, in the order sent', ({ assert }) => {
    assert.equal(firstDuplicate(decodeParams('a=1&b=1&b=2&a=2')), 'a')
    assert.equal(firstDuplicate(decodeParams('a=1&b=1&b=2')), 'b')
    assert.isNull(firstDuplicate(decodeParams('a=1&b=2')))
  })

  test('a repetition counts even when a value is empty', ({ assert }) => {
    assert.equal(firstDuplicate(decodeParams('state=&state=x')), 'state')
    assert.equal(firstDuplicate(decodeParams('state&state')), 'state')
  })

  test('with a list of names, only those are checked, in the list order', ({ assert }) => {
    const params = decodeParams('custom=1&custom=2&scope=a&scope=b&state=1&state=2')
    assert.isNull(firstDuplicate(params, ['client_id', 'redirect_uri']))
    assert.equal(firstDuplicate(params, ['state', 'scope']), 'state')
    assert.isNull(firstDuplicate(params, ['nonce']), 'an absent name is not repeated')
  })
})
