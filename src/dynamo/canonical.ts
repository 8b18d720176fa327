import type { JsonAttributeValue, JsonItem } from './attribute-json.js'

/**
 * The canonical text of an item (DESIGN.md, "content digest"): map keys sorted at every
 * level, sets sorted and de-duplicated, numbers written as DynamoDB normalises them, binary as
 * standard base64. Two items DynamoDB considers equal have the same canonical text.
 */
export function canonicalItem(item: JsonItem): string {
  return canonicalMap(item)
}

function canonicalMap(map: Record<string, JsonAttributeValue>): string {
  const names = Object.keys(map).sort()
  let out = '{'
  for (let i = 0; i < names.length; i++) {
    const name = names[i] as string
    if (i > 0) out += ','
    out += quote(name) + ':' + canonicalValue(map[name] as JsonAttributeValue)
  }
  return out + '}'
}

/** Characters JSON.stringify writes as they are: most names and many values (the hot path). */
const PLAIN = /^[\w .:#@/+-]*$/

/** JSON.stringify(text), without its cost for the common plain names and values. */
function quote(text: string): string {
  return PLAIN.test(text) ? '"' + text + '"' : JSON.stringify(text)
}

export function canonicalValue(v: JsonAttributeValue): string {
  if ('S' in v) return '{"S":' + quote(v.S) + '}'
  if ('N' in v) return '{"N":"' + normalizeNumber(v.N) + '"}'
  if ('B' in v) return '{"B":"' + normalizeBase64(v.B) + '"}'
  if ('BOOL' in v) return v.BOOL ? '{"BOOL":true}' : '{"BOOL":false}'
  if ('NULL' in v) return '{"NULL":true}'
  if ('SS' in v) return '{"SS":' + sortedSet(v.SS.map(quote)) + '}'
  if ('NS' in v) return '{"NS":' + sortedSet(v.NS.map((n) => '"' + normalizeNumber(n) + '"')) + '}'
  if ('BS' in v) return '{"BS":' + sortedSet(v.BS.map((b) => '"' + normalizeBase64(b) + '"')) + '}'
  if ('M' in v) return '{"M":' + canonicalMap(v.M) + '}'
  if ('L' in v) return '{"L":[' + v.L.map(canonicalValue).join(',') + ']}'
  throw new Error(`Unsupported attribute value: ${Object.keys(v as object).join(',')}`)
}

function sortedSet(encoded: string[]): string {
  return '[' + [...new Set(encoded)].sort().join(',') + ']'
}

function normalizeBase64(b: string): string {
  return Buffer.from(b, 'base64').toString('base64')
}

const NUMBER = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/
/** Already as DynamoDB writes it (what a scan returns): no exponent, sign, or extra zeros. */
const NORMALISED = /^-?(?:[1-9]\d*|0)(?:\.\d*[1-9])?$/

/**
 * Writes a DynamoDB number the way DynamoDB returns it: no exponent, no leading zeros, no
 * trailing fractional zeros, no '+' sign, "-0" as "0". Pure string arithmetic: 38 significant
 * digits never go through a JavaScript number.
 */
export function normalizeNumber(text: string): string {
  if (NORMALISED.test(text) && text !== '-0') return text
  const m = NUMBER.exec(text.trim())
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
