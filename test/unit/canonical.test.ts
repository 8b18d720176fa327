import { describe, expect, it } from '@jest/globals'
import type { JsonItem } from '../../src/dynamo/attribute-json.js'
import { canonicalItem, canonicalValue, normalizeNumber } from '../../src/dynamo/canonical.js'

describe('normalizeNumber', () => {
  it.each([
    ['007', '7'],
    ['000', '0'],
    ['0012.5', '12.5']
  ])('drops leading zeros: %s -> %s', (input, expected) => {
    expect(normalizeNumber(input)).toBe(expected)
  })

  it.each([
    ['1.500', '1.5'],
    ['2.0', '2'],
    ['10.000', '10'],
    ['0.10', '0.1'],
    ['5.', '5']
  ])('drops trailing fractional zeros: %s -> %s', (input, expected) => {
    expect(normalizeNumber(input)).toBe(expected)
  })

  it('keeps trailing zeros of whole numbers', () => {
    expect(normalizeNumber('100')).toBe('100')
    expect(normalizeNumber('1000000')).toBe('1000000')
  })

  it.each([
    ['1E+2', '100'],
    ['1e2', '100'],
    ['1E0', '1'],
    ['1.5e-3', '0.0015'],
    ['-1.23E-2', '-0.0123'],
    ['12.5E1', '125'],
    ['0012.3400e1', '123.4'],
    ['1234e-2', '12.34'],
    ['5e-1', '0.5']
  ])('expands exponents: %s -> %s', (input, expected) => {
    expect(normalizeNumber(input)).toBe(expected)
  })

  it.each([['-0'], ['+0'], ['0.000'], ['-0.0e5'], ['-.0'], ['0e10']])('writes every zero as "0": %s', (input) => {
    expect(normalizeNumber(input)).toBe('0')
  })

  it('drops a leading plus sign', () => {
    expect(normalizeNumber('+5')).toBe('5')
    expect(normalizeNumber('+0.25')).toBe('0.25')
  })

  it('keeps the minus sign of negative numbers', () => {
    expect(normalizeNumber('-42')).toBe('-42')
    expect(normalizeNumber('-0.5')).toBe('-0.5')
  })

  it('adds a leading zero before a bare fraction', () => {
    expect(normalizeNumber('.5')).toBe('0.5')
    expect(normalizeNumber('-.25')).toBe('-0.25')
  })

  it('trims surrounding whitespace', () => {
    expect(normalizeNumber('  42  ')).toBe('42')
  })

  it('never rounds 38 significant digits', () => {
    expect(normalizeNumber('12345678901234567890123456789012345678')).toBe('12345678901234567890123456789012345678')
    expect(normalizeNumber('-12345678901234567890123456789012345678')).toBe('-12345678901234567890123456789012345678')
    expect(normalizeNumber('0.12345678901234567890123456789012345678')).toBe('0.12345678901234567890123456789012345678')
    expect(normalizeNumber('1234567890123456789.0123456789012345678')).toBe('1234567890123456789.0123456789012345678')
    expect(normalizeNumber('1.2345678901234567890123456789012345678E+37')).toBe('12345678901234567890123456789012345678')
  })

  it('expands numbers at the edges of the DynamoDB range', () => {
    expect(normalizeNumber('1E-130')).toBe('0.' + '0'.repeat(129) + '1')
    expect(normalizeNumber('9.9999999999999999999999999999999999999E+125')).toBe('9'.repeat(38) + '0'.repeat(88))
  })

  it('gives every spelling of one value the same text', () => {
    const spellings = ['1500', '1500.0', '1.5e3', '1.5E+3', '+1500', '001500', '15000e-1', '0.15e4']
    expect(new Set(spellings.map(normalizeNumber))).toEqual(new Set(['1500']))
  })

  it('returns text that is not a number unchanged (trimmed)', () => {
    expect(normalizeNumber('abc')).toBe('abc')
    expect(normalizeNumber('1.2.3')).toBe('1.2.3')
    expect(normalizeNumber(' e5 ')).toBe('e5')
    expect(normalizeNumber('')).toBe('')
  })
})

describe('canonicalItem', () => {
  it('sorts attribute names of the item', () => {
    expect(canonicalItem({ b: { S: 'x' }, a: { N: '1' }, c: { BOOL: true } })).toBe('{"a":{"N":"1"},"b":{"S":"x"},"c":{"BOOL":true}}')
  })

  it('sorts map keys at every level', () => {
    const a: JsonItem = { z: { M: { y: { M: { b: { S: '1' }, a: { S: '2' } } }, x: { N: '3' } } }, a: { S: 'k' } }
    const b: JsonItem = { a: { S: 'k' }, z: { M: { x: { N: '3' }, y: { M: { a: { S: '2' }, b: { S: '1' } } } } } }
    expect(canonicalItem(a)).toBe(canonicalItem(b))
    expect(canonicalItem(a)).toBe('{"a":{"S":"k"},"z":{"M":{"x":{"N":"3"},"y":{"M":{"a":{"S":"2"},"b":{"S":"1"}}}}}}')
  })

  it('sorts and de-duplicates string sets', () => {
    expect(canonicalItem({ s: { SS: ['pear', 'apple', 'pear', 'fig'] } })).toBe('{"s":{"SS":["apple","fig","pear"]}}')
  })

  it('sorts number sets after normalising, so equal numbers collapse', () => {
    expect(canonicalItem({ n: { NS: ['10', '2', '1.0', '1', '1e1'] } })).toBe('{"n":{"NS":["1","10","2"]}}')
    expect(canonicalItem({ n: { NS: ['3', '1', '2'] } })).toBe(canonicalItem({ n: { NS: ['2', '3', '1'] } }))
  })

  it('sorts and de-duplicates binary sets after normalising base64', () => {
    // 'AQI' and 'AQI=' are the same two bytes, with and without padding.
    expect(canonicalItem({ b: { BS: ['AwQ=', 'AQI', 'AQI='] } })).toBe('{"b":{"BS":["AQI=","AwQ="]}}')
  })

  it('normalises base64 of binary values (padding, URL-safe alphabet)', () => {
    const bytes = Buffer.from([0xfb, 0xff, 0x01])
    expect(canonicalItem({ b: { B: bytes.toString('base64') } })).toBe('{"b":{"B":"+/8B"}}')
    expect(canonicalItem({ b: { B: bytes.toString('base64url') } })).toBe('{"b":{"B":"+/8B"}}')
    expect(canonicalItem({ b: { B: 'AQI' } })).toBe(canonicalItem({ b: { B: 'AQI=' } }))
  })

  it('normalises numbers in N values, in lists and in maps', () => {
    expect(canonicalItem({ n: { N: '007.50' }, l: { L: [{ N: '1E+2' }] }, m: { M: { x: { N: '-0' } } } })).toBe(
      '{"l":{"L":[{"N":"100"}]},"m":{"M":{"x":{"N":"0"}}},"n":{"N":"7.5"}}'
    )
  })

  it('keeps list order', () => {
    const forward = canonicalItem({ l: { L: [{ S: 'a' }, { S: 'b' }] } })
    const backward = canonicalItem({ l: { L: [{ S: 'b' }, { S: 'a' }] } })
    expect(forward).toBe('{"l":{"L":[{"S":"a"},{"S":"b"}]}}')
    expect(forward).not.toBe(backward)
  })

  it('keeps duplicate list elements', () => {
    expect(canonicalItem({ l: { L: [{ N: '1' }, { N: '1' }] } })).toBe('{"l":{"L":[{"N":"1"},{"N":"1"}]}}')
  })

  it('sorts maps nested inside lists', () => {
    expect(canonicalItem({ l: { L: [{ M: { b: { S: '1' }, a: { S: '2' } } }] } })).toBe('{"l":{"L":[{"M":{"a":{"S":"2"},"b":{"S":"1"}}}]}}')
  })

  it('writes BOOL and NULL values', () => {
    expect(canonicalItem({ t: { BOOL: true }, f: { BOOL: false }, n: { NULL: true } })).toBe('{"f":{"BOOL":false},"n":{"NULL":true},"t":{"BOOL":true}}')
  })

  it('escapes strings and names as JSON, so no two items share a text', () => {
    expect(canonicalItem({ 'a"b': { S: 'x","y' } })).toBe('{"a\\"b":{"S":"x\\",\\"y"}}')
    expect(canonicalItem({ s: { S: 'a,b' } })).not.toBe(canonicalItem({ s: { SS: ['a', 'b'] } }))
  })

  it('tells apart a string and a number with the same text', () => {
    expect(canonicalItem({ v: { S: '1' } })).not.toBe(canonicalItem({ v: { N: '1' } }))
  })

  it('writes an empty item as an empty object', () => {
    expect(canonicalItem({})).toBe('{}')
  })

  it('rejects an unknown attribute type', () => {
    expect(() => canonicalValue({ X: 'y' } as never)).toThrow('Unsupported attribute value: X')
  })
})
