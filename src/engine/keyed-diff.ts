import { createHash } from 'node:crypto'
import { createReadStream, createWriteStream, promises as fs, type WriteStream } from 'node:fs'
import { once } from 'node:events'
import os from 'node:os'
import path from 'node:path'
import { createInterface } from 'node:readline'
import type { JsonItem } from '../dynamo/attribute-json.js'
import { canonicalValue } from '../dynamo/canonical.js'
import { itemHash } from '../dynamo/digest.js'
import { keyAttributes } from '../dynamo/table-schema.js'
import type { LoadedBackup } from '../backup/manifest.js'
import { readPart } from '../backup/part-reader.js'
import type { EngineContext } from './context.js'
import { scanDigest } from './scan-digest.js'

export interface KeyedDiff {
  missing: number
  extra: number
  changed: number
  /** The first differing keys (at most `limit`), as `name=value` text. */
  examples: Array<{ key: string; kind: 'missing' | 'extra' | 'changed' }>
}

const ITEMS_PER_BUCKET = 50_000

/**
 * Finds which keys differ between a backup and a live table without holding either in memory:
 * both sides are spilled to disk in buckets by key hash, then compared one bucket at a time
 * (memory bounded by one bucket, about 50k keys).
 */
export async function keyedDiff(ctx: EngineContext, backup: LoadedBackup, table: string, segments: number, limit = 20): Promise<KeyedDiff> {
  const keys = keyAttributes(backup.manifest.table.schema.createTable)
  const bucketCount = Math.max(1, Math.ceil(backup.manifest.itemCount / ITEMS_PER_BUCKET))
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ddb-diff-'))
  try {
    const source = new BucketSet(dir, 'backup', bucketCount)
    for (const entry of backup.manifest.files) {
      for await (const { item } of readPart(backup.dir, entry)) await source.add(keyText(item, keys), itemHash(item))
    }
    await source.close()
    const target = new BucketSet(dir, 'table', bucketCount)
    await scanDigest(ctx, table, { segments }, (item, hash) => target.add(keyText(item, keys), hash))
    await target.close()

    const diff: KeyedDiff = { missing: 0, extra: 0, changed: 0, examples: [] }
    const note = (key: string, kind: 'missing' | 'extra' | 'changed') => {
      diff[kind]++
      if (diff.examples.length < limit) diff.examples.push({ key, kind })
    }
    for (let b = 0; b < bucketCount; b++) {
      const expected = new Map<string, string>()
      for await (const [key, hash] of source.read(b)) expected.set(key, hash)
      for await (const [key, hash] of target.read(b)) {
        const want = expected.get(key)
        if (want === undefined) note(key, 'extra')
        else if (want !== hash) note(key, 'changed')
        expected.delete(key)
      }
      for (const key of expected.keys()) note(key, 'missing')
    }
    return diff
  } finally {
    await fs.rm(dir, { recursive: true, force: true })
  }
}

/** A readable, unique text for an item's primary key, e.g. `companyId="c1", recordId="r7"`. */
export function keyText(item: JsonItem, keys: string[]): string {
  return keys
    .map((name) => {
      const v = item[name]
      if (!v) return `${name}=(absent)`
      if ('S' in v) return `${name}=${JSON.stringify(v.S)}`
      if ('N' in v) return `${name}=${canonicalValue(v).slice(6, -2)}`
      return `${name}=${canonicalValue(v)}`
    })
    .join(', ')
}

class BucketSet {
  private readonly streams: WriteStream[]

  constructor(
    private readonly dir: string,
    private readonly side: string,
    private readonly count: number
  ) {
    this.streams = Array.from({ length: count }, (_, i) => createWriteStream(this.file(i)))
  }

  private file(i: number): string {
    return path.join(this.dir, `${this.side}-${i}.tsv`)
  }

  async add(key: string, hash: string): Promise<void> {
    const bucket = parseInt(createHash('sha1').update(key).digest('hex').slice(0, 8), 16) % this.count
    const stream = this.streams[bucket] as WriteStream
    // Keys are JSON-escaped, so they never contain a tab or a newline.
    if (!stream.write(`${key}\t${hash}\n`)) await once(stream, 'drain')
  }

  async close(): Promise<void> {
    await Promise.all(this.streams.map((s) => new Promise<void>((resolve, reject) => s.end((err?: Error | null) => (err ? reject(err) : resolve())))))
  }

  async *read(i: number): AsyncGenerator<[string, string]> {
    const lines = createInterface({ input: createReadStream(this.file(i)), crlfDelay: Infinity })
    for await (const line of lines) {
      const tab = line.lastIndexOf('\t')
      if (tab > 0) yield [line.slice(0, tab), line.slice(tab + 1)]
    }
  }
}
