import { describe, expect, it } from '@jest/globals'
import { MAX_BATCH_BYTES, MAX_BATCH_ITEMS, batchesOf, type PendingItem } from '../../src/dynamo/batch-writer.js'

function pending(n: number, bytes = 100): PendingItem[] {
  return Array.from({ length: n }, (_, i) => ({ item: { pk: { N: String(i) } }, bytes }))
}

async function* source(items: PendingItem[]): AsyncGenerator<PendingItem> {
  for (const item of items) yield item
}

async function collect(items: PendingItem[]): Promise<PendingItem[][]> {
  const out: PendingItem[][] = []
  for await (const batch of batchesOf(source(items))) out.push(batch)
  return out
}

const ids = (batch: PendingItem[]) => batch.map((p) => (p.item.pk as { N: string }).N)

describe('batchesOf', () => {
  it('uses the BatchWriteItem limits: 25 items, a little under 16 MB', () => {
    expect(MAX_BATCH_ITEMS).toBe(25)
    expect(MAX_BATCH_BYTES).toBeLessThanOrEqual(16 * 1024 * 1024)
    expect(MAX_BATCH_BYTES).toBeGreaterThan(15 * 1024 * 1024)
  })

  it('yields nothing for no items (no empty batch)', async () => {
    expect(await collect([])).toEqual([])
  })

  it('puts fewer than 25 items in one batch', async () => {
    const batches = await collect(pending(7))
    expect(batches.map((b) => b.length)).toEqual([7])
  })

  it('splits into batches of at most 25 items', async () => {
    const batches = await collect(pending(60))
    expect(batches.map((b) => b.length)).toEqual([25, 25, 10])
  })

  it('makes exact batches of 25 with no empty batch at the end', async () => {
    const batches = await collect(pending(50))
    expect(batches.map((b) => b.length)).toEqual([25, 25])
  })

  it('keeps the order of items, each exactly once', async () => {
    const items = pending(83)
    const batches = await collect(items)
    expect(batches.flat()).toEqual(items)
    expect(ids(batches[1] as PendingItem[])).toEqual(Array.from({ length: 25 }, (_, i) => String(25 + i)))
  })

  it('starts a new batch before the byte cap would be exceeded', async () => {
    const big = Math.floor(MAX_BATCH_BYTES / 3) + 1 // two fit, three do not
    const batches = await collect(pending(5, big))
    expect(batches.map((b) => b.length)).toEqual([2, 2, 1])
    for (const batch of batches) expect(batch.reduce((sum, p) => sum + p.bytes, 0)).toBeLessThanOrEqual(MAX_BATCH_BYTES)
  })

  it('fills a batch up to exactly the byte cap', async () => {
    const half = MAX_BATCH_BYTES / 2
    expect(Number.isInteger(half)).toBe(true)
    const batches = await collect(pending(4, half))
    expect(batches.map((b) => b.length)).toEqual([2, 2])
  })

  it('applies whichever limit comes first, items or bytes', async () => {
    const items = [...pending(30, 10), ...pending(3, MAX_BATCH_BYTES - 5)]
    const batches = await collect(items)
    expect(batches.map((b) => b.length)).toEqual([25, 5, 1, 1, 1])
    expect(batches.flat()).toEqual(items)
  })

  it('gives an item larger than the cap a batch of its own, never an empty one', async () => {
    const items = [...pending(1, MAX_BATCH_BYTES + 1), ...pending(2, 10), ...pending(1, MAX_BATCH_BYTES + 1)]
    const batches = await collect(items)
    expect(batches.map((b) => b.length)).toEqual([1, 2, 1])
    for (const batch of batches) expect(batch.length).toBeGreaterThan(0)
  })

  it('reads no further ahead than the batch it is filling', async () => {
    let read = 0
    async function* counted(): AsyncGenerator<PendingItem> {
      for (const item of pending(100)) {
        read++
        yield item
      }
    }
    const batches = batchesOf(counted())
    const first = await batches.next()
    expect(first.value).toHaveLength(25)
    expect(read).toBeLessThanOrEqual(26)
    await batches.return(undefined)
  })
})
