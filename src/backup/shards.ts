import path from 'node:path'
import { ContentDigest } from '../dynamo/digest.js'
import { segmentsFor } from '../dynamo/scanner.js'
import { MigrationError } from '../errors.js'
import type { BackupManifest, LoadedBackup } from './manifest.js'

/** True when the backup is one part of a fanned-out migration (shard i of n, n > 1). */
export function isPartialShard(backup: LoadedBackup): boolean {
  return (backup.manifest.scan.shardCount ?? 1) > 1
}

function describe(backup: LoadedBackup): string {
  const { scan } = backup.manifest
  return `shard ${scan.shard ?? 0} of ${scan.shardCount ?? 1} (${scan.totalSegments} segments) at ${backup.dir}`
}

/**
 * Combines the backups written by the shards of one fanned-out migration (shard 0..n-1 of n,
 * each scanning its share of the same parallel-scan segments) into one backup of the whole
 * table: counts add up, digests add up modulo 2^256 (DESIGN.md), and file paths become
 * relative to the folder that holds every shard. Refused, with nothing combined: a missing or
 * duplicated shard, shards of different scans (segments, shard count, key schema) or tables,
 * and a shard whose segments are not its share.
 */
export function combineShards(shards: LoadedBackup[]): LoadedBackup {
  const first = shards[0]
  if (!first) throw new MigrationError('BACKUP_INVALID', 'No shard backups to combine')
  const table = first.manifest.table.name
  const { totalSegments, shardCount } = first.manifest.scan
  if (shardCount === undefined) throw new MigrationError('BACKUP_INVALID', `The backup of ${table} at ${first.dir} is not a shard backup`)
  const keySchema = JSON.stringify(first.manifest.table.schema.createTable.KeySchema)

  const byShard = new Map<number, LoadedBackup>()
  for (const backup of shards) {
    const { scan, table: t } = backup.manifest
    if (t.name !== table) throw new MigrationError('BACKUP_MISMATCH', `Shard backups of different tables cannot be combined: ${table} and ${t.name} (${backup.dir})`)
    if (scan.shardCount === undefined) {
      throw new MigrationError('BACKUP_MISMATCH', `The backups of ${table} mix shard backups with a whole-table backup (${backup.dir}): point the backup input at the shards of one fanned-out migration only`)
    }
    if (scan.shardCount !== shardCount || scan.totalSegments !== totalSegments) {
      throw new MigrationError(
        'BACKUP_MISMATCH',
        `Shard backups of ${table} come from different scans: ${describe(first)} and ${describe(backup)}. Every shard of one migration uses the same shard-count and scan-segments.`
      )
    }
    if (JSON.stringify(t.schema.createTable.KeySchema) !== keySchema) {
      throw new MigrationError('BACKUP_MISMATCH', `Shard backups of ${table} record different key schemas (${first.dir} and ${backup.dir})`)
    }
    const shard = scan.shard ?? 0
    const expected = segmentsFor(totalSegments, shard, shardCount)
    if (shard >= shardCount || JSON.stringify([...scan.segments].sort((a, b) => a - b)) !== JSON.stringify(expected)) {
      throw new MigrationError('BACKUP_INVALID', `${describe(backup)} of ${table} scanned segments [${scan.segments.join(', ')}], not its share [${expected.join(', ')}]: the manifest was edited or written by another tool`)
    }
    const seen = byShard.get(shard)
    if (seen) {
      throw new MigrationError(
        'BACKUP_MISMATCH',
        `Shard ${shard} of ${shardCount} of ${table} appears twice (${seen.dir} and ${backup.dir}): keep one backup per shard (the same shard run twice, or two fanned-out migrations in one folder), then verify again.`
      )
    }
    byShard.set(shard, backup)
  }
  const missing = Array.from({ length: shardCount }, (_, i) => i).filter((i) => !byShard.has(i))
  if (missing.length) {
    throw new MigrationError(
      'BACKUP_MISMATCH',
      `The backup of ${table} is incomplete: shard${missing.length > 1 ? 's' : ''} ${missing.join(', ')} of ${shardCount} missing (found ${[...byShard.keys()].sort((a, b) => a - b).join(', ') || 'none'}). Give the backup of every shard job (each one's artifact).`
    )
  }

  const ordered = [...byShard.entries()].sort(([a], [b]) => a - b).map(([, b]) => b)
  const dir = commonFolder(ordered.map((b) => path.resolve(b.dir)))
  const files = ordered.flatMap((b) => b.manifest.files.map((f) => ({ ...f, path: path.relative(dir, path.join(path.resolve(b.dir), f.path)).split(path.sep).join('/') })))
  const total = ContentDigest.combine(ordered.map((b) => ({ count: b.manifest.itemCount, digest: b.manifest.digest })))
  const base = (ordered[0] as LoadedBackup).manifest
  const manifest: BackupManifest = {
    ...base,
    scan: { totalSegments, segments: ordered.flatMap((b) => b.manifest.scan.segments).sort((a, b) => a - b), consistentRead: ordered.every((b) => b.manifest.scan.consistentRead) },
    itemCount: total.count,
    digest: total.digest,
    bytes: ordered.reduce((a, b) => a + b.manifest.bytes, 0),
    files,
    startedAt: ordered.map((b) => b.manifest.startedAt).sort()[0] as string,
    finishedAt: ordered.map((b) => b.manifest.finishedAt).sort().at(-1) as string
  }
  return { dir, manifest }
}

/** The deepest folder that contains every one of `dirs` (absolute paths). */
function commonFolder(dirs: string[]): string {
  const split = dirs.map((d) => d.split(path.sep))
  const first = split[0] ?? []
  let n = 0
  while (n < first.length && split.every((parts) => parts[n] === first[n])) n++
  return first.slice(0, n).join(path.sep) || path.sep
}

/**
 * Refuses one shard's backup where the whole table's is needed (verify): the target holds every
 * shard's items, so it can only be checked against the combination of all of them.
 */
export function assertWholeBackup(backup: LoadedBackup): void {
  if (!isPartialShard(backup)) return
  const { scan, table } = backup.manifest
  throw new MigrationError(
    'BACKUP_MISMATCH',
    `The backup at ${backup.dir} is shard ${scan.shard ?? 0} of ${scan.shardCount} of ${table.name}, not the whole table: point the backup input at a folder holding the backups of all ${scan.shardCount} shards (every shard job's artifact), which are then combined.`
  )
}
