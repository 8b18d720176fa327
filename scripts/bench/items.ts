// Deterministic benchmark items of about `bytes` bytes of DynamoDB JSON each, with a realistic
// mix of types (strings, numbers, a map, a list, a string set, a binary, a boolean), so the
// per-item work of the engine (canonical form, hashing, (de)serialisation) is representative.
import type { CreateTableInput } from '@aws-sdk/client-dynamodb'
import type { JsonItem } from '../../src/dynamo/attribute-json.js'

export const BENCH_KEYS = { partition: 'pk', sort: 'sk' } as const

/** A plain two-key, on-demand table (no GSIs: the server then spends least per write, which is the hardest case for the client). */
export function benchTableSchema(name: string): CreateTableInput {
  return {
    TableName: name,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'sk', AttributeType: 'N' }
    ],
    KeySchema: [
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' }
    ]
  }
}

const STATUSES = ['NEW', 'PACKED', 'SHIPPED', 'DELIVERED', 'RETURNED']
const TAGS = ['fragile', 'express', 'gift', 'bulk', 'insured', 'cold', 'priority']

/** A small, fast, seedable PRNG (mulberry32): the same index always gives the same item. */
function rng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 '

function text(random: () => number, length: number): string {
  let out = ''
  for (let i = 0; i < length; i++) out += ALPHABET[Math.floor(random() * ALPHABET.length)]
  return out
}

/** Item `i` of a benchmark table: ~`bytes` bytes as a `{"Item": ...}` JSON line. */
export function benchItem(i: number, bytes = 1000): JsonItem {
  const random = rng(i * 2654435761)
  const base: JsonItem = {
    pk: { S: `customer-${String(i % 5000).padStart(5, '0')}` },
    sk: { N: String(i) },
    createdAt: { S: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString() },
    status: { S: STATUSES[i % STATUSES.length] as string },
    amount: { N: `${Math.floor(random() * 100000)}.${String(Math.floor(random() * 100)).padStart(2, '0')}` },
    quantity: { N: String(1 + Math.floor(random() * 20)) },
    paid: { BOOL: random() < 0.8 },
    tags: { SS: TAGS.filter(() => random() < 0.4).concat(['all']) },
    address: {
      M: {
        street: { S: text(random, 24) },
        city: { S: text(random, 10) },
        zip: { S: String(10000 + Math.floor(random() * 89999)) },
        geo: { L: [{ N: (random() * 180 - 90).toFixed(6) }, { N: (random() * 360 - 180).toFixed(6) }] }
      }
    },
    lines: {
      L: Array.from({ length: 3 }, (_, n) => ({ M: { sku: { S: `sku-${(i * 7 + n) % 10007}` }, qty: { N: String(1 + n) }, price: { N: (random() * 100).toFixed(2) } } }))
    },
    checksum: { B: Buffer.from(text(random, 24)).toString('base64') }
  }
  const size = JSON.stringify({ Item: base }).length
  const pad = Math.max(0, bytes - size - 20)
  base.notes = { S: text(random, pad) }
  return base
}
