import { createReadStream, promises as fs } from 'node:fs'
import { parser } from 'stream-json'
import { pick } from 'stream-json/filters/pick.js'
import { streamValues } from 'stream-json/streamers/stream-values.js'
import chain from 'stream-chain'
import type { JsonItem } from '../dynamo/attribute-json.js'
import { ContentDigest } from '../dynamo/digest.js'
import type { TableSchema } from '../dynamo/table-schema.js'
import { MigrationError, errorMessage } from '../errors.js'
import { TOOL_VERSION } from '../version.js'
import type { DetectedBackup } from './formats.js'
import { MANIFEST_FORMAT, writeManifest, type BackupManifest, type LoadedBackup } from './manifest.js'
import { readPart } from './part-reader.js'
import { PartWriter } from './part-writer.js'

/**
 * Converts an `aws dynamodb scan` output or an S3 export into this tool's backup format
 * (streamed: a scan file far larger than memory is fine), so restore, copy and verify have one
 * path. The foreign formats carry no schema: the caller passes the schema to record.
 */
export async function importForeignBackup(detected: DetectedBackup, destDir: string, table: string, schema: TableSchema): Promise<LoadedBackup> {
  const startedAt = new Date().toISOString()
  await fs.mkdir(destDir, { recursive: true })
  const files = []
  let bytes = 0
  for (const [index, file] of detected.files.entries()) {
    const writer = await PartWriter.open(destDir, `data/part-${String(index).padStart(5, '0')}.json.gz`, index)
    const items = detected.format === 'scan-json' ? scanJsonItems(file) : exportItems(file)
    for await (const item of items) await writer.write(item)
    bytes += writer.bytes
    files.push(await writer.close())
  }
  const total = ContentDigest.combine(files)
  const manifest: BackupManifest = {
    format: MANIFEST_FORMAT,
    toolVersion: TOOL_VERSION,
    table: { name: table, schema },
    scan: { totalSegments: Math.max(1, files.length), segments: files.map((f) => f.segment), consistentRead: false },
    itemCount: total.count,
    digest: total.digest,
    bytes,
    files,
    startedAt,
    finishedAt: new Date().toISOString()
  }
  await writeManifest(destDir, manifest)
  return { dir: destDir, manifest }
}

/** Items of `aws dynamodb scan --output json`: `{"Items": [...]}`, one or several pages a file. */
async function* scanJsonItems(file: string): AsyncGenerator<JsonItem> {
  const pipeline = chain([createReadStream(file), parser({ jsonStreaming: true }), pick({ filter: /^(\d+\.)?Items\.\d+$/ }), streamValues()])
  let count = 0
  try {
    for await (const entry of pipeline as AsyncIterable<{ value: unknown }>) {
      const item = entry.value
      if (typeof item !== 'object' || item === null || Array.isArray(item)) throw new Error(`item ${count + 1} is not an object`)
      count++
      yield item as JsonItem
    }
  } catch (error) {
    throw new MigrationError('BACKUP_INVALID', `${file}: not a readable aws dynamodb scan output after ${count} items: ${errorMessage(error)}`)
  }
}

/** Items of an S3 export data file: gzipped `{"Item": …}` lines, as this tool writes them. */
async function* exportItems(file: string): AsyncGenerator<JsonItem> {
  for await (const read of readPart('/', { path: file })) yield read.item
}
