// Every DynamoDB attribute type survives backup → copy → verify unchanged: numbers as the exact
// strings written (38 significant digits, extremes of the range), binaries byte for byte, sets,
// deep nesting, a near-400 KB item and binary / numeric keys. Run against dynalite, and against
// the official DynamoDB Local when the run is inside a loopback-only namespace.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { promises as fs } from 'node:fs'
import { BatchWriteItemCommand, PutItemCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { migratePair } from '../../src/engine/migrate.js'
import { readManifest } from '../../src/backup/manifest.js'
import { readPart } from '../../src/backup/part-reader.js'
import { localClient, settingsFor, tempDir, uniqueName } from '../helpers/dynamo.js'
import { createTable, dropTables, exactItems, scanAll, testContext } from './support.js'

type Item = Record<string, AttributeValue>

const bytes = (...values: number[]) => Uint8Array.from(values)
/** Deterministic pseudo-random bytes (xorshift), so failures reproduce. */
function noise(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length)
  let x = seed || 1
  for (let i = 0; i < length; i++) {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    out[i] = x & 0xff
  }
  return out
}

const BIG = '12345678901234567890123456789012345678'
const TINY_NEGATIVE = '-0.00000000000000000000000000000000000001'
const LARGEST = '9999999999999999999999999999999999999900000000000000000000000000000000000000000000000000000000000000000000000000000000000000' // 9.9999999999999999999999999999999999999E+125
const SMALLEST_POSITIVE = '0.' + '0'.repeat(129) + '1' // 1E-130
const FRACTIONAL_38 = '0.12345678901234567890123456789012345678'
const NEGATIVE_38 = '-1234567890123456789.0123456789012345678'

/** Nests `depth` levels, alternating maps and lists, with a leaf of every scalar type. */
function nested(depth: number): AttributeValue {
  let v: AttributeValue = { M: { leafS: { S: 'deep' }, leafN: { N: BIG }, leafB: { B: bytes(0, 1, 254, 255) }, leafNull: { NULL: true }, leafBool: { BOOL: false } } }
  for (let level = depth; level > 0; level--) v = level % 2 ? { M: { [`level${level}`]: v, n: { N: String(level) } } } : { L: [v, { S: `level ${level}` }, { NS: [String(level), BIG] }] }
  return v
}

function sourceItems(): Item[] {
  const allBytes = Uint8Array.from({ length: 256 }, (_, i) => i)
  return [
    {
      pk: { S: 'scalars' },
      sk: { N: '0' },
      s: { S: 'plain ascii' },
      sUnicode: { S: 'ünïcödé — 日本語 — emoji 🦆🏳️‍🌈 — rtl שלום' },
      sControl: { S: 'tab\tnewline\ncr\rnul\u0000quote"backslash\\ end' },
      sEmpty: { S: '' },
      n: { N: '42' },
      nNegative: { N: '-17.5' },
      nBig: { N: BIG },
      nTinyNegative: { N: TINY_NEGATIVE },
      nFractional38: { N: FRACTIONAL_38 },
      nNegative38: { N: NEGATIVE_38 },
      nLargest: { N: LARGEST },
      nSmallest: { N: SMALLEST_POSITIVE },
      nLargestNegative: { N: '-' + LARGEST },
      b: { B: allBytes },
      bInvalidUtf8: { B: bytes(0xc3, 0x28, 0xa0, 0xa1, 0xe2, 0x28, 0xa1, 0xf0, 0x28, 0x8c, 0xbc, 0xff, 0xfe, 0x00) },
      bEmpty: { B: new Uint8Array(0) },
      ss: { SS: ['b', 'a', 'ünïcödé', ' spaced ', 'z\nline'] },
      ns: { NS: ['1', '-1', BIG, TINY_NEGATIVE, FRACTIONAL_38, '3.14'] },
      bs: { BS: [bytes(0), bytes(255, 255), bytes(1, 2, 3), noise(64, 7)] },
      boolTrue: { BOOL: true },
      boolFalse: { BOOL: false },
      null: { NULL: true },
      emptyMap: { M: {} },
      emptyList: { L: [] },
      'name.with.dots': { S: 'dots' },
      'name with spaces': { S: 'spaces' },
      '#hash:colon[0]': { S: 'expression characters' },
      'ñame-ünïcode': { S: 'unicode name' }
    },
    {
      pk: { S: 'nested' },
      sk: { N: BIG },
      deep: nested(30),
      list: { L: [{ S: 'x' }, { N: '1' }, { B: bytes(9) }, { BOOL: true }, { NULL: true }, { SS: ['q'] }, { NS: ['2'] }, { BS: [bytes(3)] }, { M: { k: { L: [] } } }, { L: [{ L: [{ S: '' }] }] }] },
      map: { M: { 'a.b': { S: 'dotted key' }, n: { M: { n: { M: { n: { N: TINY_NEGATIVE } } } } } } }
    },
    { pk: { S: 'numeric-sort-keys' }, sk: { N: TINY_NEGATIVE }, note: { S: 'tiny negative key' } },
    { pk: { S: 'numeric-sort-keys' }, sk: { N: '-' + BIG }, note: { S: 'big negative key' } },
    { pk: { S: 'numeric-sort-keys' }, sk: { N: SMALLEST_POSITIVE }, note: { S: 'smallest positive key' } },
    { pk: { S: 'numeric-sort-keys' }, sk: { N: LARGEST }, note: { S: 'largest key' } },
    // Near DynamoDB's 400 KB item limit (names and values count): 390 KB of text plus a bit more.
    { pk: { S: 'large' }, sk: { N: '1' }, body: { S: 'L'.repeat(390 * 1024) }, tail: { B: noise(2048, 99) } },
    // A second large item, so the scan pages (1 MB) break around big items.
    { pk: { S: 'large' }, sk: { N: '2' }, body: { S: 'M'.repeat(390 * 1024) } },
    { pk: { S: 'large' }, sk: { N: '3' }, body: { S: 'N'.repeat(390 * 1024) } },
    // Many small items, so the copy spans several batches and segments.
    ...Array.from({ length: 80 }, (_, i): Item => ({ pk: { S: `small-${i % 9}` }, sk: { N: `${i}.${i}5` }, b: { B: noise(i + 1, i + 3) }, ns: { NS: [String(i), `-${i}.5`] } }))
  ]
}

const binaryKey = (item: Item) => Buffer.from((item.id as { B: Uint8Array }).B).toString('hex')
const stringNumberKey = (item: Item) => `${(item.pk as { S: string }).S}\u0000${(item.sk as { N: string }).N}`

function binaryKeyItems(): Item[] {
  return [
    { id: { B: bytes(0) }, v: { S: 'single NUL byte' } },
    { id: { B: bytes(0, 0) }, v: { S: 'two NUL bytes' } },
    { id: { B: bytes(255) }, v: { S: 'single 0xff' } },
    { id: { B: bytes(0xc3, 0x28) }, v: { S: 'invalid UTF-8' } },
    { id: { B: Buffer.from('looks like text') }, v: { B: Buffer.from('looks like text') } },
    { id: { B: noise(1024, 5) }, v: { N: BIG } },
    { id: { B: noise(2048, 6) }, v: { S: 'key at the 2048-byte partition key limit' } },
    ...Array.from({ length: 60 }, (_, i): Item => ({ id: { B: noise(16, 1000 + i) }, v: { N: String(i) }, bs: { BS: [noise(4, i + 1), noise(5, i + 2)] } }))
  ]
}

const servers: Array<[string, string | undefined]> = [
  ['dynalite', process.env.DYNALITE_ENDPOINT],
  ['DynamoDB Local', process.env.DYNAMODB_LOCAL_ENDPOINT]
]

describe.each(servers)('attribute types survive a migration (%s)', (label, endpoint) => {
  if (!endpoint) {
    it.skip(`skipped: ${label} is not running (DynamoDB Local needs a loopback-only network namespace; run npm test as root)`, () => {})
    return
  }
  let client: DynamoDBClient
  let backupDir: string
  const created: string[] = []

  beforeAll(async () => {
    client = localClient(endpoint)
    backupDir = await tempDir('ddb-types-')
  })
  afterAll(async () => {
    await dropTables(client, created)
    client.destroy()
    await fs.rm(backupDir, { recursive: true, force: true })
  })

  /** Writes the SDK items as given (no conversion): batches of 25, the ~400 KB ones one by one. */
  async function put(table: string, items: Item[]) {
    const large = items.filter((item) => JSON.stringify(item).length > 100_000)
    const small = items.filter((item) => !large.includes(item))
    const batches: Item[][] = []
    for (let i = 0; i < small.length; i += 25) batches.push(small.slice(i, i + 25))
    await Promise.all([
      ...large.map((item) => client.send(new PutItemCommand({ TableName: table, Item: item }))),
      ...batches.map(async (batch) => {
        let pending = batch.map((item) => ({ PutRequest: { Item: item } }))
        while (pending.length) {
          const out = await client.send(new BatchWriteItemCommand({ RequestItems: { [table]: pending } }))
          pending = (out.UnprocessedItems?.[table] ?? []) as typeof pending
        }
      })
    ])
  }

  it('copies S, N, B, SS, NS, BS, M, L, BOOL, NULL, deep nesting, 38-digit numbers and ~400 KB items exactly', async () => {
    const source = uniqueName('types-src')
    const target = uniqueName('types-dst')
    created.push(source, target)
    await createTable(client, {
      TableName: source,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'N' }
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' }
      ]
    })
    const written = sourceItems()
    await put(source, written)
    const sourceRead = await scanAll(client, source)
    // The server itself keeps what was written (otherwise the rest of this test proves nothing).
    expect(exactItems(sourceRead, stringNumberKey)).toEqual(exactItems(written, stringNumberKey))

    const result = await migratePair(testContext(client), { source, target }, settingsFor(backupDir, { scanSegments: 3, writeConcurrency: 3 }))
    expect(result.status).toBe('verified')
    expect(result.itemsScanned).toBe(written.length)
    expect(result.itemsWritten).toBe(written.length)
    expect(result.actual).toEqual(result.expected)

    const targetRead = await scanAll(client, target)
    expect(targetRead).toHaveLength(written.length)
    expect(exactItems(targetRead, stringNumberKey)).toEqual(exactItems(written, stringNumberKey))

    // Spot checks, spelled out: numbers are the very strings written, binaries the very bytes.
    const scalars = targetRead.find((i) => i.pk?.S === 'scalars') as Item
    expect(scalars.nBig).toEqual({ N: BIG })
    expect(scalars.nTinyNegative).toEqual({ N: TINY_NEGATIVE })
    expect(scalars.nLargest).toEqual({ N: LARGEST })
    expect(scalars.nSmallest).toEqual({ N: SMALLEST_POSITIVE })
    expect(Buffer.from(scalars.b?.B as Uint8Array).equals(Buffer.from(Uint8Array.from({ length: 256 }, (_, i) => i)))).toBe(true)
    expect(Buffer.from(scalars.bInvalidUtf8?.B as Uint8Array).toString('hex')).toBe('c328a0a1e228a1f0288cbcfffe00')
    expect(scalars.sControl).toEqual({ S: 'tab\tnewline\ncr\rnul\u0000quote"backslash\\ end' })
    const large = targetRead.find((i) => i.pk?.S === 'large' && i.sk?.N === '1') as Item
    expect(large.body?.S).toHaveLength(390 * 1024)
    expect(Buffer.from(large.tail?.B as Uint8Array).equals(Buffer.from(noise(2048, 99)))).toBe(true)

    // The backup file keeps numbers as strings too (never through a JavaScript number).
    const backup = await readManifest(result.backup!.manifest)
    const numbers: string[] = []
    for (const entry of backup.manifest.files) {
      for await (const { item } of readPart(backup.dir, entry)) if (item.pk && 'S' in item.pk && item.pk.S === 'scalars') numbers.push(JSON.stringify(item.nBig), JSON.stringify(item.nTinyNegative))
    }
    expect(numbers).toEqual([JSON.stringify({ N: BIG }), JSON.stringify({ N: TINY_NEGATIVE })])
  })

  it('copies a table whose partition key is binary, byte for byte', async () => {
    const source = uniqueName('binkey-src')
    const target = uniqueName('binkey-dst')
    created.push(source, target)
    await createTable(client, {
      TableName: source,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'B' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }]
    })
    const written = binaryKeyItems()
    await put(source, written)

    const result = await migratePair(testContext(client), { source, target }, settingsFor(backupDir, { scanSegments: 2 }))
    expect(result.status).toBe('verified')
    expect(result.itemsWritten).toBe(written.length)
    const targetRead = await scanAll(client, target)
    expect(exactItems(targetRead, binaryKey)).toEqual(exactItems(written, binaryKey))
    expect(targetRead.map(binaryKey).sort()).toEqual(written.map(binaryKey).sort())
  })

  // Map keys often come from user input: '__proto__', 'constructor', 'hasOwnProperty' are valid
  // attribute names. (A top-level attribute named '__proto__' is not tested: the AWS SDK itself
  // returns it without a value.)
  // dynalite (JavaScript) drops a '__proto__' map key on write itself, so only DynamoDB Local can show it.
  const withProtoKeys = label === 'DynamoDB Local' ? it : it.skip
  withProtoKeys('keeps map keys named __proto__ and attributes named constructor / toString', async () => {
    const source = uniqueName('proto-src')
    const target = uniqueName('proto-dst')
    created.push(source, target)
    await createTable(client, {
      TableName: source,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }]
    })
    const own = <T>(entries: Array<[string, T]>): Record<string, T> => {
      const out: Record<string, T> = {}
      for (const [name, value] of entries) Object.defineProperty(out, name, { value, enumerable: true, writable: true, configurable: true })
      return out
    }
    const written: Item[] = [
      own<AttributeValue>([
        ['id', { S: 'user-supplied-keys' }],
        ['constructor', { N: '1' }],
        ['toString', { BOOL: true }],
        ['payload', { M: own<AttributeValue>([['__proto__', { M: own<AttributeValue>([['isAdmin', { BOOL: true }]]) }], ['hasOwnProperty', { S: 'x' }]]) }]
      ])
    ]
    await put(source, written)
    const sourceRead = await scanAll(client, source)
    expect(Object.keys(sourceRead[0] ?? {}).sort()).toEqual(['constructor', 'id', 'payload', 'toString'])
    expect(Object.keys(sourceRead[0]?.payload?.M ?? {}).sort()).toEqual(['__proto__', 'hasOwnProperty'])

    const result = await migratePair(testContext(client), { source, target }, settingsFor(backupDir, { scanSegments: 1 }))
    expect(result.status).toBe('verified')
    const targetRead = await scanAll(client, target)
    expect(Object.keys(targetRead[0] ?? {}).sort()).toEqual(['constructor', 'id', 'payload', 'toString'])
    expect(Object.keys(targetRead[0]?.payload?.M ?? {}).sort()).toEqual(['__proto__', 'hasOwnProperty'])
    expect(JSON.stringify(exactItems(targetRead, () => ''))).toBe(JSON.stringify(exactItems(written, () => '')))
  })
})
