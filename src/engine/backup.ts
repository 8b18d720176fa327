import { promises as fs } from 'node:fs'
import path from 'node:path'
import type { TableDescription } from '@aws-sdk/client-dynamodb'
import { toJsonItem } from '../dynamo/attribute-json.js'
import { ContentDigest } from '../dynamo/digest.js'
import { scanSegment, segmentsFor } from '../dynamo/scanner.js'
import type { TableSchema } from '../dynamo/table-schema.js'
import { MANIFEST_FORMAT, writeManifest, type BackupFileEntry, type BackupManifest, type LoadedBackup } from '../backup/manifest.js'
import { PartWriter } from '../backup/part-writer.js'
import { TOOL_VERSION } from '../version.js'
import { ProgressTicker, type EngineContext } from './context.js'

export interface BackupOptions {
  table: string
  /** The source's description and schema, read by the preflight. */
  description: TableDescription
  schema: TableSchema
  /** Folder that receives data/*.json.gz and manifest.json; created if missing. */
  dir: string
  totalSegments: number
  consistentRead: boolean
  shard?: number
  shardCount?: number
  region?: string
}

/**
 * Backs a table up with a parallel, fully paginated scan: one gzipped JSON-lines file per
 * segment, streamed to disk, plus a manifest with counts, digests and the table's schema.
 */
export async function backupTable(ctx: EngineContext, options: BackupOptions): Promise<LoadedBackup> {
  const startedAt = new Date().toISOString()
  const dir = await claimFolder(options.dir)
  const segments = segmentsFor(options.totalSegments, options.shard, options.shardCount)
  const approximate = options.description.ItemCount
  const ticker = new ProgressTicker(ctx.reporter, 'backup', options.table, approximate && options.shardCount === undefined ? approximate : undefined)
  let scanned = 0
  let rawBytes = 0
  const width = String(options.totalSegments).length

  const files = await Promise.all(
    segments.map(async (segment): Promise<BackupFileEntry> => {
      const name = `data/segment-${String(segment).padStart(width, '0')}-of-${options.totalSegments}.json.gz`
      const writer = await PartWriter.open(dir, name, segment)
      for await (const page of scanSegment(ctx, { table: options.table, segment, totalSegments: options.totalSegments, consistentRead: options.consistentRead })) {
        for (const item of page) await writer.write(toJsonItem(item))
        scanned += page.length
        ticker.update(scanned)
      }
      rawBytes += writer.bytes
      return writer.close()
    })
  )
  ticker.update(scanned, true)

  const total = ContentDigest.combine(files)
  const manifest: BackupManifest = {
    format: MANIFEST_FORMAT,
    toolVersion: TOOL_VERSION,
    table: {
      name: options.table,
      arn: options.description.TableArn,
      region: options.region,
      schema: options.schema,
      approximateItemCount: approximate
    },
    scan: {
      totalSegments: options.totalSegments,
      segments,
      consistentRead: options.consistentRead,
      ...(options.shardCount !== undefined ? { shard: options.shard ?? 0, shardCount: options.shardCount } : {})
    },
    itemCount: total.count,
    digest: total.digest,
    bytes: rawBytes,
    files,
    startedAt,
    finishedAt: new Date().toISOString()
  }
  await writeManifest(dir, manifest)
  ctx.reporter.info(`${options.table}: backed up ${total.count} items (${formatBytes(rawBytes)}) to ${path.resolve(dir)}`)
  return { dir, manifest }
}

/**
 * Creates the backup folder, never reusing one: two backups started in the same millisecond
 * (one source migrated to two targets at once) would otherwise write the same files. When the
 * folder exists, `-2`, `-3`, ... is appended; the caller takes the folder from the result.
 */
async function claimFolder(dir: string): Promise<string> {
  await fs.mkdir(path.dirname(dir), { recursive: true })
  for (let n = 1; ; n++) {
    const candidate = n === 1 ? dir : `${dir}-${n}`
    try {
      await fs.mkdir(candidate)
      return candidate
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || n >= 1000) throw error
    }
  }
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  const units = ['KiB', 'MiB', 'GiB', 'TiB']
  let value = bytes / 1024
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return `${value.toFixed(1)} ${units[unit]}`
}
