// combineShards: the manifests of shard 0..n-1 of one fanned-out scan add up to one backup of
// the whole table; anything that is not exactly one such set is refused.
import { describe, expect, it } from '@jest/globals'
import path from 'node:path'
import type { BackupManifest, LoadedBackup } from '../../src/backup/manifest.js'
import { assertWholeBackup, combineShards, isPartialShard } from '../../src/backup/shards.js'
import { ContentDigest } from '../../src/dynamo/digest.js'
import { segmentsFor } from '../../src/dynamo/scanner.js'

const hex = (n: number) => n.toString(16).padStart(64, '0')

function shard(index: number, count: number, totalSegments: number, overrides: Partial<BackupManifest> = {}, dir = `/backups/artifact-${index}/orders-shard-${index}`): LoadedBackup {
  const segments = segmentsFor(totalSegments, index, count)
  const files = segments.map((segment) => ({ path: `data/segment-${segment}-of-${totalSegments}.json.gz`, segment, count: 10 + segment, digest: hex(1000 + segment), bytes: 100, sha256: hex(segment) }))
  const total = ContentDigest.combine(files)
  return {
    dir,
    manifest: {
      format: 'dynamodb-table-migrate/backup@1',
      toolVersion: 'test',
      table: { name: 'orders', schema: { createTable: { TableName: 'orders', KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }] } } },
      scan: { totalSegments, segments, consistentRead: false, shard: index, shardCount: count },
      itemCount: total.count,
      digest: total.digest,
      bytes: 1000,
      files,
      startedAt: `2026-01-01T00:00:0${index}.000Z`,
      finishedAt: `2026-01-01T00:01:0${index}.000Z`,
      ...overrides
    }
  }
}

describe('combineShards', () => {
  it('adds counts and digests (mod 2^256) and lists every file relative to the common folder', () => {
    const parts = [shard(2, 3, 6), shard(0, 3, 6), shard(1, 3, 6)]
    const combined = combineShards(parts)
    expect(combined.dir).toBe(path.resolve('/backups'))
    expect(combined.manifest.scan).toEqual({ totalSegments: 6, segments: [0, 1, 2, 3, 4, 5], consistentRead: false })
    expect(combined.manifest.itemCount).toBe(10 + 11 + 12 + 13 + 14 + 15)
    expect(combined.manifest.digest).toBe(ContentDigest.combine(parts.map((p) => ({ count: p.manifest.itemCount, digest: p.manifest.digest }))).digest)
    expect(combined.manifest.digest).toBe(hex(6 * 1000 + 0 + 1 + 2 + 3 + 4 + 5))
    expect(combined.manifest.files.map((f) => f.path)).toEqual([
      'artifact-0/orders-shard-0/data/segment-0-of-6.json.gz',
      'artifact-0/orders-shard-0/data/segment-3-of-6.json.gz',
      'artifact-1/orders-shard-1/data/segment-1-of-6.json.gz',
      'artifact-1/orders-shard-1/data/segment-4-of-6.json.gz',
      'artifact-2/orders-shard-2/data/segment-2-of-6.json.gz',
      'artifact-2/orders-shard-2/data/segment-5-of-6.json.gz'
    ])
    expect(combined.manifest.bytes).toBe(3000)
    expect(combined.manifest.startedAt).toBe('2026-01-01T00:00:00.000Z')
    expect(combined.manifest.finishedAt).toBe('2026-01-01T00:01:02.000Z')
    expect(isPartialShard(combined)).toBe(false)
    expect(() => assertWholeBackup(combined)).not.toThrow()
  })

  it('wraps digests that overflow 2^256', () => {
    const big = 'f'.repeat(64)
    const a = shard(0, 2, 2, { digest: big, itemCount: 1, files: [{ path: 'data/a.json.gz', segment: 0, count: 1, digest: big, bytes: 1, sha256: hex(0) }] })
    const b = shard(1, 2, 2, { digest: hex(2), itemCount: 1, files: [{ path: 'data/b.json.gz', segment: 1, count: 1, digest: hex(2), bytes: 1, sha256: hex(1) }] })
    expect(combineShards([a, b]).manifest.digest).toBe(hex(1))
  })

  it('refuses a missing shard, naming it', () => {
    expect(() => combineShards([shard(0, 3, 6), shard(2, 3, 6)])).toThrow(expect.objectContaining({ code: 'BACKUP_MISMATCH', message: expect.stringMatching(/shard 1 of 3 missing/) }))
  })

  it('refuses a duplicated shard, naming both folders', () => {
    const again = shard(1, 3, 6, {}, '/backups/rerun/orders-shard-1')
    expect(() => combineShards([shard(0, 3, 6), shard(1, 3, 6), again, shard(2, 3, 6)])).toThrow(
      expect.objectContaining({ code: 'BACKUP_MISMATCH', message: expect.stringMatching(/Shard 1 of 3 of orders appears twice \(.*artifact-1.* and .*rerun/) })
    )
  })

  it('refuses shards of different scans: total segments, shard count, key schema, table', () => {
    expect(() => combineShards([shard(0, 2, 4), shard(1, 2, 6)])).toThrow(expect.objectContaining({ code: 'BACKUP_MISMATCH', message: expect.stringMatching(/different scans/) }))
    expect(() => combineShards([shard(0, 2, 6), shard(1, 3, 6)])).toThrow(expect.objectContaining({ message: expect.stringMatching(/different scans/) }))
    const otherKeys = shard(1, 2, 4)
    otherKeys.manifest.table.schema = { createTable: { TableName: 'orders', KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }] } }
    expect(() => combineShards([shard(0, 2, 4), otherKeys])).toThrow(expect.objectContaining({ message: expect.stringMatching(/different key schemas/) }))
    const otherTable = shard(1, 2, 4)
    otherTable.manifest.table.name = 'invoices'
    expect(() => combineShards([shard(0, 2, 4), otherTable])).toThrow(expect.objectContaining({ message: expect.stringMatching(/different tables/) }))
  })

  it('refuses a shard whose segments are not its share, and a whole-table backup mixed in', () => {
    const wrong = shard(1, 2, 4)
    wrong.manifest.scan.segments = [1, 2]
    expect(() => combineShards([shard(0, 2, 4), wrong])).toThrow(expect.objectContaining({ code: 'BACKUP_INVALID', message: expect.stringMatching(/not its share \[1, 3\]/) }))
    const whole = shard(1, 2, 4)
    delete whole.manifest.scan.shard
    delete whole.manifest.scan.shardCount
    expect(() => combineShards([shard(0, 2, 4), whole])).toThrow(expect.objectContaining({ message: expect.stringMatching(/mix shard backups with a whole-table backup/) }))
  })

  it('assertWholeBackup refuses one shard of several', () => {
    expect(isPartialShard(shard(1, 3, 6))).toBe(true)
    expect(() => assertWholeBackup(shard(1, 3, 6))).toThrow(expect.objectContaining({ code: 'BACKUP_MISMATCH', message: expect.stringMatching(/shard 1 of 3 of orders, not the whole table/) }))
    expect(isPartialShard(shard(0, 1, 4))).toBe(false)
  })
})
