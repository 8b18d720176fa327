import path from 'node:path'
import { createTableFromSchema, waitForActive } from '../dynamo/tables.js'
import { MANIFEST_FILE, type LoadedBackup } from '../backup/manifest.js'
import { findUnfinished, readState, writeState } from '../backup/state.js'
import { MigrationError } from '../errors.js'
import { backupTable } from './backup.js'
import type { EngineContext } from './context.js'
import { copyBackup } from './copy.js'
import { assertNoRefusals, preflight } from './preflight.js'
import type { MigrationResult } from './result.js'
import type { EngineSettings, MigrationPair } from './settings.js'
import { verifyAgainstBackup } from './verify.js'

/** A folder name per backup that sorts by time and never collides across runs. */
export function backupFolder(settings: EngineSettings, table: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[:.]/g, '-')
  const shard = settings.shardCount !== undefined ? `-shard-${settings.shard ?? 0}-of-${settings.shardCount}` : ''
  return path.join(settings.backupDir, `${table}-${stamp}${shard}`)
}

export interface MigrateOptions {
  /** Use this backup instead of scanning the source again (a rerun on another runner). */
  backup?: LoadedBackup
  onBackup?: (backup: LoadedBackup) => Promise<void>
}

/**
 * backup → ensure target → copy → verify, for one pair. Every refusal is raised by the
 * preflight, before the first write; the target is created only after the backup succeeded.
 * A rerun after a crash finds the unfinished backup in backup-dir and resumes its copy.
 */
export async function migratePair(ctx: EngineContext, pair: MigrationPair, settings: EngineSettings, options: MigrateOptions = {}): Promise<MigrationResult> {
  const started = Date.now()
  const unfinished = options.backup ? { backup: options.backup, state: await readState(options.backup.dir) } : await findUnfinished(settings.backupDir, pair.source, pair.target)
  const resuming = unfinished?.backup
  if (resuming && resuming.manifest.table.name !== pair.source) {
    throw new MigrationError('BACKUP_MISMATCH', `The backup given is of ${resuming.manifest.table.name}, not ${pair.source}`)
  }
  // A resumed copy finds the target partly filled by the earlier run: that is expected.
  const check = await preflight(ctx, pair, resuming ? { ...settings, allowNonEmptyTarget: true } : settings, { backupSchema: resuming?.manifest.table.schema })
  assertNoRefusals(check)
  if (!check.targetSchema) throw new Error('preflight passed without a source schema')
  const warnings = [...check.warnings]

  let backup: LoadedBackup
  if (resuming) {
    backup = resuming
    ctx.reporter.info(`${pair.source}: resuming from backup ${backup.dir} (${backup.manifest.itemCount} items, taken ${backup.manifest.finishedAt}); the source is not scanned again`)
  } else {
    const source = check.source
    if (!source) throw new Error('preflight passed without a source')
    backup = await backupTable(ctx, {
      table: pair.source,
      description: source.description,
      schema: source.schema,
      dir: backupFolder(settings, pair.source),
      totalSegments: settings.scanSegments,
      consistentRead: settings.consistentRead,
      shard: settings.shard,
      shardCount: settings.shardCount,
      region: settings.region
    })
    await writeState(backup.dir, { source: pair.source, target: pair.target, phase: 'backed-up', createdTarget: false })
    await options.onBackup?.(backup)
  }

  const createdTarget = !check.target
  if (!check.target) {
    ctx.reporter.info(`${pair.target}: creating it with the schema of ${pair.source}`)
    await createTableFromSchema(ctx, pair.target, { ...backup.manifest.table.schema, createTable: { ...backup.manifest.table.schema.createTable, TableName: pair.target } }, warnings)
  } else {
    await waitForActive(ctx, pair.target)
  }
  await writeState(backup.dir, { source: pair.source, target: pair.target, phase: 'target-ready', createdTarget: createdTarget || !!unfinished?.state?.createdTarget })

  const copy = await copyBackup(ctx, backup, { target: pair.target, writeConcurrency: settings.writeConcurrency, maxWriteRate: settings.maxWriteRate })
  const verify = await verifyAgainstBackup(ctx, backup, {
    target: pair.target,
    segments: settings.scanSegments,
    allowExtraItems: settings.allowNonEmptyTarget,
    consistentRead: true
  })
  await writeState(backup.dir, { source: pair.source, target: pair.target, phase: verify.verified ? 'verified' : 'mismatch', createdTarget: createdTarget || !!unfinished?.state?.createdTarget })
  for (const w of warnings) ctx.reporter.warn(w)
  const durationMs = Date.now() - started
  return {
    source: pair.source,
    target: pair.target,
    mode: 'migrate',
    status: verify.verified ? 'verified' : 'mismatch',
    ...(verify.verified ? {} : { error: { code: 'VERIFY_MISMATCH', message: `${pair.target} does not match the backup of ${pair.source}` } }),
    itemsScanned: backup.manifest.itemCount,
    itemsWritten: copy.written + copy.resumedFrom,
    itemsVerified: verify.actual.count,
    expected: verify.expected,
    actual: verify.actual,
    diff: verify.diff,
    backup: { dir: backup.dir, manifest: path.join(backup.dir, MANIFEST_FILE) },
    durationMs,
    itemsPerSecond: copy.durationMs > 0 ? Math.round((copy.written / copy.durationMs) * 1000) : undefined,
    warnings
  }
}
