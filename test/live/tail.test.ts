// StreamTail against a scripted stream (no server): shard lineage order, new shards as they
// appear, LATEST position, durable pins, trimmed and expired cases; and coalesce's per-key rules.
import { describe, expect, it } from '@jest/globals'
import { ExpiredIteratorException, TrimmedDataAccessException, type _Record, type Shard } from '@aws-sdk/client-dynamodb-streams'
import { StreamTail, type StreamsApi } from '../../src/dynamo/streams.js'
import { coalesce } from '../../src/engine/live.js'
import { MigrationError } from '../../src/errors.js'

interface FakeShard {
  id: string
  parent?: string
  records: _Record[]
  closed: boolean
  /** Records before this index were trimmed. */
  trimmedBefore?: number
}

let seq = 100
function rec(kind: 'INSERT' | 'MODIFY' | 'REMOVE', key: string, value?: string): _Record {
  seq++
  return {
    eventName: kind,
    dynamodb: {
      SequenceNumber: String(seq).padStart(21, '0'),
      ApproximateCreationDateTime: new Date(),
      Keys: { k: { S: key } },
      ...(kind === 'REMOVE' ? {} : { NewImage: { k: { S: key }, v: { S: value ?? '' } } })
    }
  }
}

/** A stream in memory: iterators are `shardId@index`, as opaque to the tail as real ones. */
class FakeStream implements StreamsApi {
  readonly shards: FakeShard[] = []
  readonly fetchLog: string[] = []
  expired = new Set<string>()

  add(shard: FakeShard): FakeShard {
    this.shards.push(shard)
    return shard
  }
  private shard(id: string): FakeShard {
    const s = this.shards.find((x) => x.id === id)
    if (!s) throw Object.assign(new Error('Shard does not exist'), { name: 'ResourceNotFoundException' })
    return s
  }
  async describeStream() {
    const shards: Shard[] = this.shards.map((s) => ({
      ShardId: s.id,
      ParentShardId: s.parent,
      SequenceNumberRange: { StartingSequenceNumber: '1', ...(s.closed ? { EndingSequenceNumber: '9' } : {}) }
    }))
    return { status: 'ENABLED', viewType: 'NEW_AND_OLD_IMAGES' as const, shards }
  }
  async getShardIterator(_arn: string, shardId: string, type: string, sequenceNumber?: string) {
    const s = this.shard(shardId)
    const at = (n: string) => s.records.findIndex((r) => r.dynamodb?.SequenceNumber === n)
    const index = type === 'LATEST' ? s.records.length : type === 'TRIM_HORIZON' ? (s.trimmedBefore ?? 0) : type === 'AT_SEQUENCE_NUMBER' ? at(sequenceNumber!) : at(sequenceNumber!) + 1
    if (index < (s.trimmedBefore ?? 0)) throw new TrimmedDataAccessException({ message: 'trimmed', $metadata: {} })
    return `${shardId}@${index}`
  }
  async getRecords(iterator: string, limit: number) {
    if (this.expired.has(iterator)) throw new ExpiredIteratorException({ message: 'expired', $metadata: {} })
    const [id, i] = iterator.split('@') as [string, string]
    const s = this.shard(id)
    const index = Number(i)
    if (index < (s.trimmedBefore ?? 0)) throw new TrimmedDataAccessException({ message: 'trimmed', $metadata: {} })
    const records = s.records.slice(index, index + limit)
    this.fetchLog.push(`${id}:${records.length}`)
    const end = index + records.length
    return { records, next: s.closed && end >= s.records.length ? undefined : `${id}@${end}` }
  }
}

/** Runs the tail until nothing is left to read and no shard is open, collecting applied records in order. */
async function drain(tail: StreamTail, rounds = 50): Promise<_Record[]> {
  const applied: _Record[] = []
  for (let i = 0; i < rounds; i++) {
    if (tail.needsDiscovery) await tail.discover()
    const pages = await tail.fetch()
    applied.push(...pages.flatMap((p) => p.records))
    tail.commit(pages)
  }
  return applied
}

const keysOf = (records: _Record[]) => records.map((r) => `${r.eventName}:${r.dynamodb?.Keys?.k?.S}:${r.dynamodb?.NewImage?.v?.S ?? ''}`)

describe('StreamTail', () => {
  it('starts at LATEST for open shards, skips closed ones, and reads a split parent before its children', async () => {
    const stream = new FakeStream()
    stream.add({ id: 'old', records: [rec('INSERT', 'z', 'old')], closed: true })
    const a = stream.add({ id: 'A', parent: 'old', records: [rec('INSERT', 'a', 'before')], closed: false })
    const tail = new StreamTail(stream, 'arn', { table: 'src', pageSize: 2 })
    await tail.recordPosition()
    // After the position: changes in A, then A splits into B and C, and B into D.
    a.records.push(rec('MODIFY', 'a', 'a1'), rec('INSERT', 'b', 'b1'), rec('MODIFY', 'a', 'a2'))
    a.closed = true
    stream.add({ id: 'B', parent: 'A', records: [rec('MODIFY', 'a', 'a3'), rec('REMOVE', 'a')], closed: true })
    stream.add({ id: 'C', parent: 'A', records: [rec('MODIFY', 'b', 'b2')], closed: false })
    stream.add({ id: 'D', parent: 'B', records: [rec('INSERT', 'a', 'a4')], closed: false })
    const applied = await drain(tail)
    expect(keysOf(applied).sort()).toEqual(['MODIFY:a:a1', 'INSERT:b:b1', 'MODIFY:a:a2', 'MODIFY:a:a3', 'REMOVE:a:', 'MODIFY:b:b2', 'INSERT:a:a4'].sort())
    // Per key order: every key's changes in the order they were made.
    const forKey = (k: string) => keysOf(applied).filter((x) => x.split(':')[1] === k)
    expect(forKey('a')).toEqual(['MODIFY:a:a1', 'MODIFY:a:a2', 'MODIFY:a:a3', 'REMOVE:a:', 'INSERT:a:a4'])
    expect(forKey('b')).toEqual(['INSERT:b:b1', 'MODIFY:b:b2'])
    // Nothing before the position (old shard, A's first record) was read.
    expect(stream.fetchLog.some((l) => l.startsWith('old:'))).toBe(false)
    // No child fetched before its parent's last page.
    const firstFetch = (id: string) => stream.fetchLog.findIndex((l) => l.startsWith(`${id}:`))
    const lastFetch = (id: string) => stream.fetchLog.map((l) => l.split(':')[0]).lastIndexOf(id)
    expect(firstFetch('B')).toBeGreaterThan(lastFetch('A'))
    expect(firstFetch('C')).toBeGreaterThan(lastFetch('A'))
    expect(firstFetch('D')).toBeGreaterThan(lastFetch('B'))
    expect(tail.position().shards.find((s) => s.shardId === 'B')?.status).toBe('done')
  })

  it('pins a LATEST position to the first record after it, and resumes there after the iterator is gone', async () => {
    const stream = new FakeStream()
    const a = stream.add({ id: 'A', records: [rec('INSERT', 'x', '0')], closed: false })
    const tail = new StreamTail(stream, 'arn', { table: 'src' })
    await tail.recordPosition()
    await tail.pin() // nothing yet: keeps the iterator fresh
    expect(tail.position().shards[0]?.start).toEqual({ type: 'LATEST' })
    a.records.push(rec('MODIFY', 'x', '1'), rec('MODIFY', 'x', '2'))
    await tail.pin()
    const pinned = tail.position()
    expect(pinned.shards[0]?.start).toEqual({ type: 'AT_SEQUENCE_NUMBER', sequenceNumber: a.records[1]?.dynamodb?.SequenceNumber })
    // Another job: a new tail from the saved position.
    const again = new StreamTail(stream, 'arn', { table: 'src' }, JSON.parse(JSON.stringify(pinned)))
    expect(again.forgetIterators()).toBe(0)
    expect(keysOf(await drain(again, 3))).toEqual(['MODIFY:x:1', 'MODIFY:x:2'])
    // Continue after the last applied record from a third tail.
    a.records.push(rec('REMOVE', 'x'))
    const third = new StreamTail(stream, 'arn', { table: 'src' }, again.position())
    expect(keysOf(await drain(third, 3))).toEqual(['REMOVE:x:'])
  })

  it('re-reads a shard with no record since the position from TRIM_HORIZON after a restart', async () => {
    const stream = new FakeStream()
    const a = stream.add({ id: 'A', records: [rec('INSERT', 'x', 'old')], closed: false })
    const tail = new StreamTail(stream, 'arn', { table: 'src' })
    await tail.recordPosition()
    const saved = tail.position()
    a.records.push(rec('MODIFY', 'x', 'new'))
    const resumed = new StreamTail(stream, 'arn', { table: 'src' }, saved)
    expect(resumed.forgetIterators()).toBe(1)
    // The older change comes first, then the newer: the same end state.
    expect(keysOf(await drain(resumed, 3))).toEqual(['INSERT:x:old', 'MODIFY:x:new'])
  })

  it('fails with STREAM_TRIMMED when records were trimmed before they were read', async () => {
    const stream = new FakeStream()
    const a = stream.add({ id: 'A', records: [], closed: false })
    const tail = new StreamTail(stream, 'arn', { table: 'src' })
    await tail.recordPosition()
    a.records.push(rec('INSERT', 'x', '1'))
    await tail.pin()
    a.trimmedBefore = 1
    const error = await drain(tail, 1).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(MigrationError)
    expect((error as MigrationError).code).toBe('STREAM_TRIMMED')
    expect((error as MigrationError).message).toContain('24 hours')
  })

  it('fails with STREAM_TRIMMED when a LATEST iterator expires before it was pinned, and when a shard vanishes', async () => {
    const stream = new FakeStream()
    stream.add({ id: 'A', records: [], closed: false })
    const tail = new StreamTail(stream, 'arn', { table: 'src' })
    await tail.recordPosition()
    stream.expired.add('A@0')
    expect(((await tail.fetch().catch((e: unknown) => e)) as MigrationError).code).toBe('STREAM_TRIMMED')

    const other = new FakeStream()
    other.add({ id: 'P', records: [], closed: false })
    const t2 = new StreamTail(other, 'arn', { table: 'src' })
    await t2.recordPosition()
    other.shards.length = 0
    expect(((await t2.discover().catch((e: unknown) => e)) as MigrationError).code).toBe('STREAM_TRIMMED')
  })
})

describe('coalesce', () => {
  it('keeps one write per key, the last change, in an order where no batch names a key twice', () => {
    const records = [rec('INSERT', 'a', '1'), rec('INSERT', 'b', '1'), rec('MODIFY', 'a', '2'), rec('REMOVE', 'b'), rec('INSERT', 'c', '1'), rec('REMOVE', 'a'), rec('INSERT', 'a', '3')]
    const changes = coalesce(records, ['k'])
    expect(changes.map((c) => c.key)).toEqual(['k="b"', 'k="c"', 'k="a"'])
    expect(changes[0]?.request.DeleteRequest?.Key).toEqual({ k: { S: 'b' } })
    expect(changes[2]?.request.PutRequest?.Item).toEqual({ k: { S: 'a' }, v: { S: '3' } })
    expect(changes[0]?.hash).toBeNull()
    expect(new Set(changes.map((c) => c.key)).size).toBe(changes.length)
  })

  it('refuses records without a new image (KEYS_ONLY stream)', () => {
    const r = rec('MODIFY', 'a', '1')
    delete r.dynamodb!.NewImage
    expect(() => coalesce([r], ['k'])).toThrow(/NEW_IMAGE/)
  })
})
