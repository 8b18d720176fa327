import { writeAll, type PendingItem, type WriteStats } from '../dynamo/batch-writer.js'
import { keyAttributes } from '../dynamo/table-schema.js'
import { MigrationError } from '../errors.js'
import { CopyCheckpoint } from '../backup/checkpoint.js'
import type { LoadedBackup } from '../backup/manifest.js'
import { checkBackupFiles, readPart } from '../backup/part-reader.js'
import { ProgressTicker, type EngineContext } from './context.js'

export interface CopyOptions {
  target: string
  writeConcurrency: number
  maxWriteRate: number
  /** Continue from the checkpoint saved beside the backup (default true). */
  resume?: boolean
}

export interface CopyResult extends WriteStats {
  durationMs: number
  /** Items skipped because a checkpoint says an earlier run wrote them. */
  resumedFrom: number
}

/**
 * Writes every item of a backup into the target. The backup's files are checked against the
 * manifest (size, SHA-256, line counts) so a damaged backup never half-fills a table silently.
 * Progress is checkpointed beside the backup: a rerun after a crash skips what was written.
 */
export async function copyBackup(ctx: EngineContext, backup: LoadedBackup, options: CopyOptions): Promise<CopyResult> {
  const started = Date.now()
  await checkBackupFiles(backup)
  const { manifest } = backup
  const checkpoint = await CopyCheckpoint.load(backup.dir, options.target)
  const resumedFrom = options.resume === false ? 0 : checkpoint.totalDone
  if (resumedFrom > 0) ctx.reporter.info(`${options.target}: resuming the copy, ${resumedFrom} of ${manifest.itemCount} items were written by an earlier run`)
  const ticker = new ProgressTicker(ctx.reporter, 'copy', options.target, manifest.itemCount)

  async function* items(): AsyncGenerator<PendingItem> {
    for (const entry of manifest.files) {
      const skip = options.resume === false ? 0 : checkpoint.linesDone(entry.path)
      let lines = skip
      for await (const read of readPart(backup.dir, entry, skip + 1)) {
        lines = read.line
        yield { item: read.item, bytes: read.bytes, file: entry.path, line: read.line }
      }
      if (lines !== entry.count) {
        throw new MigrationError('BACKUP_MISMATCH', `Backup file ${entry.path} holds ${lines} items, the manifest says ${entry.count}`)
      }
    }
  }

  const stats = await writeAll(ctx, items(), {
    table: options.target,
    concurrency: options.writeConcurrency,
    maxRate: options.maxWriteRate,
    keyAttributes: keyAttributes(manifest.table.schema.createTable),
    onProgress: (written) => ticker.update(resumedFrom + written),
    onBatchWritten: async (batch) => {
      for (const p of batch) if (p.file && p.line) checkpoint.markDone(p.file, p.line)
      await checkpoint.save()
    }
  }).finally(() => checkpoint.save(true))
  ticker.update(resumedFrom + stats.written, true)
  const durationMs = Date.now() - started
  ctx.reporter.info(`${options.target}: wrote ${stats.written} items in ${(durationMs / 1000).toFixed(1)} s (${stats.retries} retries, ${stats.unprocessedReturned} unprocessed items re-sent)`)
  return { ...stats, durationMs, resumedFrom }
}
