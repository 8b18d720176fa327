import { createHash } from 'node:crypto'
import { describe, expect, it } from '@jest/globals'
import type { JsonItem } from '../../src/dynamo/attribute-json.js'
import { canonicalItem } from '../../src/dynamo/canonical.js'
import { ContentDigest, itemHash } from '../../src/dynamo/digest.js'

const items: JsonItem[] = Array.from({ length: 30 }, (_, i) => ({
  pk: { S: `user#${i}` },
  sk: { N: String(i * 7) },
  tags: { SS: ['a', 'b', String(i % 3)] },
  profile: { M: { name: { S: `name ${i}` }, scores: { L: [{ N: String(i) }, { N: '1.5' }] } } }
}))

function digestOf(list: JsonItem[]): ContentDigest {
  const d = new ContentDigest()
  for (const item of list) d.add(item)
  return d
}

/** A fixed pseudo-random permutation (no Math.random: the tests stay deterministic). */
function shuffled<T>(list: T[], seed: number): T[] {
  const out = [...list]
  let s = seed
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2 ** 31
    const j = s % (i + 1)
    ;[out[i], out[j]] = [out[j] as T, out[i] as T]
  }
  return out
}

const HEX64 = /^[0-9a-f]{64}$/

describe('itemHash', () => {
  it('is the SHA-256 of the canonical text, as 64 hex digits', () => {
    const item: JsonItem = { pk: { S: 'a' }, n: { N: '1.0' } }
    const hash = itemHash(item)
    expect(hash).toMatch(HEX64)
    expect(hash).toBe(createHash('sha256').update(canonicalItem(item)).digest('hex'))
  })

  it('is the same for items DynamoDB considers equal', () => {
    expect(itemHash({ b: { N: '1.50' }, a: { SS: ['y', 'x'] } })).toBe(itemHash({ a: { SS: ['x', 'y', 'x'] }, b: { N: '15e-1' } }))
  })

  it('differs when any attribute differs', () => {
    expect(itemHash({ pk: { S: 'a' } })).not.toBe(itemHash({ pk: { S: 'b' } }))
  })
})

describe('ContentDigest', () => {
  it('starts empty: zero items and a digest of 64 zeros', () => {
    const d = new ContentDigest()
    expect(d.count).toBe(0)
    expect(d.digest).toBe('0'.repeat(64))
  })

  it('returns each item hash from add and counts items', () => {
    const d = new ContentDigest()
    expect(d.add(items[0] as JsonItem)).toBe(itemHash(items[0] as JsonItem))
    d.add(items[1] as JsonItem)
    expect(d.count).toBe(2)
    expect(d.digest).toMatch(HEX64)
  })

  it('of one item is that item hash', () => {
    expect(digestOf([items[3] as JsonItem]).digest).toBe(itemHash(items[3] as JsonItem))
  })

  it('is the same for the same items in any order', () => {
    const expected = digestOf(items).toJSON()
    for (const seed of [1, 2, 3, 42]) expect(digestOf(shuffled(items, seed)).toJSON()).toEqual(expected)
    expect(digestOf([...items].reverse()).toJSON()).toEqual(expected)
  })

  it('does not depend on attribute order inside items', () => {
    const reordered = items.map((item) => Object.fromEntries(Object.entries(item).reverse()) as JsonItem)
    expect(digestOf(reordered).digest).toBe(digestOf(items).digest)
  })

  it('merges digests of disjoint parts into the digest of the whole', () => {
    const whole = digestOf(items)
    const a = digestOf(items.slice(0, 10))
    const b = digestOf(items.slice(10, 17))
    const c = digestOf(items.slice(17))
    const merged = new ContentDigest().merge(a).merge(b).merge(c)
    expect(merged.toJSON()).toEqual(whole.toJSON())
  })

  it('merges plain {count, digest} parts as well as ContentDigest instances', () => {
    const whole = digestOf(items)
    const merged = digestOf(items.slice(0, 5)).merge(digestOf(items.slice(5)).toJSON())
    expect(merged.toJSON()).toEqual(whole.toJSON())
  })

  it('combines parts in any order into the digest of the whole', () => {
    const parts = [digestOf(items.slice(20)), digestOf(items.slice(0, 8)), digestOf([]), digestOf(items.slice(8, 20))].map((d) => d.toJSON())
    expect(ContentDigest.combine(parts).toJSON()).toEqual(digestOf(items).toJSON())
    expect(ContentDigest.combine([...parts].reverse()).toJSON()).toEqual(digestOf(items).toJSON())
  })

  it('combines no parts into the empty digest', () => {
    expect(ContentDigest.combine([]).toJSON()).toEqual({ count: 0, digest: '0'.repeat(64) })
  })

  it('differs for different content', () => {
    const other = items.map((item, i) => (i === 0 ? { ...item, pk: { S: 'someone else' } } : item))
    expect(digestOf(other).digest).not.toBe(digestOf(items).digest)
    expect(digestOf(items.slice(1)).digest).not.toBe(digestOf(items).digest)
  })

  it('changes when a single nested attribute changes', () => {
    const changed = structuredClone(items)
    const profile = (changed[12] as JsonItem).profile as { M: JsonItem }
    profile.M.scores = { L: [{ N: '12' }, { N: '1.6' }] }
    const before = digestOf(items)
    const after = digestOf(changed)
    expect(after.count).toBe(before.count)
    expect(after.digest).not.toBe(before.digest)
  })

  it('changes when a single attribute changes only its type', () => {
    const changed = items.map((item, i) => (i === 5 ? { ...item, sk: { S: '35' } } : item))
    expect(digestOf(changed).digest).not.toBe(digestOf(items).digest)
  })

  it('counts a duplicated item twice (a multiset, not a set)', () => {
    const twice = digestOf([items[0] as JsonItem, items[0] as JsonItem])
    expect(twice.count).toBe(2)
    expect(twice.digest).not.toBe(digestOf([items[0] as JsonItem]).digest)
  })

  it('wraps around modulo 2^256', () => {
    const max = 'f'.repeat(64)
    const d = new ContentDigest()
    d.addHash(max)
    d.addHash('0'.repeat(63) + '1')
    expect(d.digest).toBe('0'.repeat(64))
    d.addHash(max)
    d.addHash(max)
    expect(d.digest).toBe('f'.repeat(63) + 'e')
    expect(d.count).toBe(4)
  })

  it('wraps around modulo 2^256 when merging', () => {
    const a = new ContentDigest()
    a.addHash('8' + '0'.repeat(63))
    const b = new ContentDigest()
    b.addHash('8' + '0'.repeat(63))
    b.addHash('0'.repeat(62) + '05')
    expect(a.merge(b).toJSON()).toEqual({ count: 3, digest: '0'.repeat(62) + '05' })
  })

  it('pads small sums to 64 hex digits', () => {
    const d = new ContentDigest()
    d.addHash('0'.repeat(63) + 'a')
    expect(d.digest).toBe('0'.repeat(63) + 'a')
  })

  it('serialises to {count, digest} with toJSON and JSON.stringify', () => {
    const d = digestOf(items.slice(0, 3))
    expect(d.toJSON()).toEqual({ count: 3, digest: d.digest })
    expect(JSON.parse(JSON.stringify({ d }))).toEqual({ d: { count: 3, digest: d.digest } })
  })

  it('round-trips through JSON: a stored digest merges like the live one', () => {
    const stored = JSON.parse(JSON.stringify(digestOf(items.slice(0, 15)))) as { count: number; digest: string }
    expect(ContentDigest.combine([stored, digestOf(items.slice(15)).toJSON()]).toJSON()).toEqual(digestOf(items).toJSON())
  })
})
