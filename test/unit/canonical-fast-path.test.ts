// The canonical form's fast paths (plain strings written without JSON.stringify, numbers already
// in DynamoDB's form returned as they are) must give exactly what the full algorithm gives: the
// digest is a contract, and backups taken before the fast paths must still verify.
import { describe, expect, it } from '@jest/globals'
import type { JsonAttributeValue, JsonItem } from '../../src/dynamo/attribute-json.js'
import { canonicalItem, normalizeNumber } from '../../src/dynamo/canonical.js'

/** The canonical form as first written (DESIGN.md), without fast paths: the reference. */
function referenceNumber(text: string): string {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text.trim())
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return text.trim()
  const negative = m[1] === '-'
  const fraction = m[3] ?? ''
  let digits = (m[2] ?? '') + fraction
  let exponent = (m[4] ? parseInt(m[4], 10) : 0) - fraction.length
  digits = digits.replace(/^0+/, '')
  if (digits === '') return '0'
  const trailing = /0+$/.exec(digits)
  if (trailing) {
    digits = digits.slice(0, digits.length - trailing[0].length)
    exponent += trailing[0].length
  }
  let plain: string
  if (exponent >= 0) plain = digits + '0'.repeat(exponent)
  else if (-exponent < digits.length) plain = digits.slice(0, digits.length + exponent) + '.' + digits.slice(digits.length + exponent)
  else plain = '0.' + '0'.repeat(-exponent - digits.length) + digits
  return negative ? '-' + plain : plain
}
function referenceValue(v: JsonAttributeValue): string {
  const set = (xs: string[]) => '[' + [...new Set(xs)].sort().join(',') + ']'
  const b64 = (b: string) => Buffer.from(b, 'base64').toString('base64')
  if ('S' in v) return '{"S":' + JSON.stringify(v.S) + '}'
  if ('N' in v) return '{"N":"' + referenceNumber(v.N) + '"}'
  if ('B' in v) return '{"B":"' + b64(v.B) + '"}'
  if ('BOOL' in v) return v.BOOL ? '{"BOOL":true}' : '{"BOOL":false}'
  if ('NULL' in v) return '{"NULL":true}'
  if ('SS' in v) return '{"SS":' + set(v.SS.map((s) => JSON.stringify(s))) + '}'
  if ('NS' in v) return '{"NS":' + set(v.NS.map((n) => '"' + referenceNumber(n) + '"')) + '}'
  if ('BS' in v) return '{"BS":' + set(v.BS.map((b) => '"' + b64(b) + '"')) + '}'
  if ('M' in v) return '{"M":' + referenceItem(v.M) + '}'
  if ('L' in v) return '{"L":[' + v.L.map(referenceValue).join(',') + ']}'
  throw new Error('unsupported')
}
function referenceItem(map: Record<string, JsonAttributeValue>): string {
  return '{' + Object.keys(map).sort().map((k) => JSON.stringify(k) + ':' + referenceValue(map[k] as JsonAttributeValue)).join(',') + '}'
}

/** Deterministic pseudo-random source, so a failure names its case. */
function random(seed: number) {
  let a = seed
  return () => {
    a = (a * 1103515245 + 12345) & 0x7fffffff
    return a / 0x7fffffff
  }
}

const NUMBER_PARTS = ['0', '00', '1', '10', '100', '007', '12.50', '-0', '+3', '-0.0', '-0.5', '0.5', '.5', '5.', '1e3', '1E+2', '-1.2e-3', ' 42 ', '99999999999999999999999999999999999999', '-1', '-10.010', '1.0000000000000000000000000000000000001', 'abc', '']
const STRING_PARTS = ['plain', 'with space', 'a/b', 'x:y#z@w', 'é', '"quoted"', 'back\\slash', 'tab\t', 'new\nline', '\u0001', '😀', '', '-+.', '\u2028']

describe('canonical form fast paths', () => {
  it('normalizeNumber equals the reference on edge cases and thousands of generated numbers', () => {
    for (const n of NUMBER_PARTS) expect([n, normalizeNumber(n)]).toEqual([n, referenceNumber(n)])
    const next = random(7)
    for (let i = 0; i < 20_000; i++) {
      const pick = (xs: string[]) => xs[Math.floor(next() * xs.length)] as string
      const n = pick(['', '-', '+']) + pick(['0', '1', '9', '10', '00', '120', '3']) + pick(['', '.', '.0', '.5', '.50', '.05', '.000']) + pick(['', '', 'e1', 'E-2', 'e+0', 'e-7'])
      expect([n, normalizeNumber(n)]).toEqual([n, referenceNumber(n)])
    }
  })

  it('canonicalItem equals the reference on strings that need escaping and on nested items', () => {
    const next = random(11)
    const pick = <T>(xs: T[]) => xs[Math.floor(next() * xs.length)] as T
    const value = (depth: number): JsonAttributeValue => {
      const kind = pick(depth > 2 ? ['S', 'N', 'SS', 'NS', 'B'] : ['S', 'N', 'SS', 'NS', 'B', 'M', 'L', 'BOOL', 'NULL'])
      switch (kind) {
        case 'S':
          return { S: pick(STRING_PARTS) + pick(STRING_PARTS) }
        case 'N':
          return { N: pick(NUMBER_PARTS.filter((n) => /\d/.test(n))) }
        case 'SS':
          return { SS: [pick(STRING_PARTS), pick(STRING_PARTS), 'z'] }
        case 'NS':
          return { NS: ['1', pick(['1.0', '2', '-0', '1e1'])] }
        case 'B':
          return { B: Buffer.from(pick(STRING_PARTS)).toString('base64') }
        case 'M':
          return { M: Object.fromEntries([pick(STRING_PARTS), pick(STRING_PARTS), 'k'].map((k) => [k, value(depth + 1)])) }
        case 'L':
          return { L: [value(depth + 1), value(depth + 1)] }
        case 'BOOL':
          return { BOOL: next() < 0.5 }
        default:
          return { NULL: true }
      }
    }
    for (let i = 0; i < 3000; i++) {
      const item: JsonItem = Object.fromEntries([pick(STRING_PARTS) || 'id', pick(STRING_PARTS), 'a', 'b'].map((k) => [k, value(0)]))
      expect(canonicalItem(item)).toBe(referenceItem(item))
    }
  })
})
