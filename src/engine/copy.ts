import { writeAll, type PendingItem, type WriteStats } from '../dynamo/batch-writer.js'
import { keyAttributes } from '../dynamo/table-schema.js'
import { MigrationError } from '../errors.js'
import type { LoadedBackup } from '../backup/manifest.js'
import { checkBackupFiles, readPart } from '../backup/part-reader.js'
import { ProgressTicker, type EngineContext } from './context.js'

export interface CopyOptions {
  target: string
  writeConcurrency: number
  maxWriteRate: number
}

export interface CopyResult extends WriteStats {
  durationMs: number
}

/**
 * Writes every item of a backup into the target. The backup's files are checked against the
 * manifest (size, SHA-256, line counts) so a damaged backup never half-fills a table silently.
 */
export async function copyBackup(ctx: EngineContext, backup: LoadedBackup, options: CopyOptions): Promise<CopyResult> {
  const started = Date.now()
  await checkBackupFiles(backup)
  const { manifest } = backup
  const ticker = new ProgressTicker(ctx.reporter, 'copy', options.target, manifest.itemCount)

  async function* items(): AsyncGenerator<PendingItem> {
    for (const entry of manifest.files) {
      let lines = 0
      for await (const read of readPart(backup.dir, entry)) {
        lines++
        yield read
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
    onProgress: (written) => ticker.update(written)
  })
  ticker.update(stats.written, true)
  const durationMs = Date.now() - started
  ctx.reporter.info(`${options.target}: wrote ${stats.written} items in ${(durationMs / 1000).toFixed(1)} s (${stats.retries} retries, ${stats.unprocessedReturned} unprocessed items re-sent)`)
  return { ...stats, durationMs }
}
