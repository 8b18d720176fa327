import path from 'node:path'
import { createTableFromSchema, waitForActive } from '../dynamo/tables.js'
import { MANIFEST_FILE, type LoadedBackup } from '../backup/manifest.js'
import { findUnfinished, readState, writeState } from '../backup/state.js'
import { MigrationError } from '../errors.js'
import { backupTable } from './backup.js'
import type { EngineContext } from './context.js'
import { copyBackup, type CopyResult } from './copy.js'
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
  const shard = shardOf(settings)
  const unfinished = options.backup
    ? { backup: options.backup, state: await readState(options.backup.dir) }
    : await findUnfinished(settings.backupDir, pair.source, pair.target, (b) => sameShard(b, settings))
  const resuming = unfinished?.backup
  if (resuming && resuming.manifest.table.name !== pair.source) {
    throw new MigrationError('BACKUP_MISMATCH', `The backup given is of ${resuming.manifest.table.name}, not ${pair.source}`)
  }
  if (resuming && !sameShard(resuming, settings)) {
    const { scan } = resuming.manifest
    const given = scan.shardCount !== undefined ? `shard ${scan.shard ?? 0} of ${scan.shardCount}` : 'of the whole table'
    throw new MigrationError('BACKUP_MISMATCH', `The backup given for ${pair.source} is ${given}, but this run is ${shard ? `shard ${shard.index} of ${shard.count}` : 'not sharded'}: give each run its own backup`)
  }
  // A resumed copy finds the target partly filled by the earlier run, and a shard finds the
  // items of the other shards: both expected (a shard's gate is the combined verify).
  const check = await preflight(ctx, pair, resuming || shard ? { ...settings, allowNonEmptyTarget: true } : settings, { backupSchema: resuming?.manifest.table.schema })
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

  let createdTarget = !check.target
  if (!check.target) {
    ctx.reporter.info(`${pair.target}: creating it with the schema of ${pair.source}`)
    const schema = { ...backup.manifest.table.schema, createTable: { ...backup.manifest.table.schema.createTable, TableName: pair.target } }
    try {
      await createTableFromSchema(ctx, pair.target, schema, warnings)
    } catch (error) {
      // Shards start together: another shard may have created the target a moment ago.
      if (!shard || (error as { name?: string }).name !== 'ResourceInUseException') throw error
      const table = await waitForActive(ctx, pair.target)
      if (JSON.stringify(table.KeySchema) !== JSON.stringify(schema.createTable.KeySchema)) {
        throw new MigrationError('SCHEMA_MISMATCH', `${pair.target} was created by someone else while shard ${shard.index} of ${shard.count} was creating it, with another key schema`)
      }
      ctx.reporter.info(`${pair.target}: created by another shard; using it`)
      createdTarget = false
    }
  } else {
    await waitForActive(ctx, pair.target)
  }
  await writeState(backup.dir, { source: pair.source, target: pair.target, phase: 'target-ready', createdTarget: createdTarget || !!unfinished?.state?.createdTarget })

  const copy = await copyBackup(ctx, backup, { target: pair.target, writeConcurrency: settings.writeConcurrency, maxWriteRate: settings.maxWriteRate })
  if (shard) return shardCopied(ctx, pair, backup, copy, { started, createdTarget: createdTarget || !!unfinished?.state?.createdTarget, warnings, shard })
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

/** The shard this run is, when the migration is fanned out over more than one runner. */
function shardOf(settings: EngineSettings): { index: number; count: number } | undefined {
  const count = settings.shardCount ?? 1
  if (count <= 1) return undefined
  const index = settings.shard ?? 0
  if (!Number.isInteger(index) || index < 0 || index >= count) {
    throw new MigrationError('INVALID_INPUT', `shard must be a whole number from 0 to ${count - 1} (shard-count ${count}), not ${index}`)
  }
  return { index, count }
}

/** A backup taken by this same shard (or, without sharding, a backup of the whole table). */
function sameShard(backup: LoadedBackup, settings: EngineSettings): boolean {
  const { scan } = backup.manifest
  const shard = shardOf(settings)
  if (!shard) return (scan.shardCount ?? 1) <= 1
  return scan.shardCount === shard.count && (scan.shard ?? 0) === shard.index
}

/**
 * The end of one shard's run: its part is backed up and copied. The target also holds the other
 * shards' items, so it cannot be verified against this part alone: the gate is mode `verify`
 * given every shard's backup, which adds their counts and digests and checks the whole target.
 */
async function shardCopied(
  ctx: EngineContext,
  pair: MigrationPair,
  backup: LoadedBackup,
  copy: CopyResult,
  run: { started: number; createdTarget: boolean; warnings: string[]; shard: { index: number; count: number } }
): Promise<MigrationResult> {
  await writeState(backup.dir, { source: pair.source, target: pair.target, phase: 'copied', createdTarget: run.createdTarget })
  const note = `shard ${run.shard.index} of ${run.shard.count}: ${backup.manifest.itemCount} items of ${pair.source} copied into ${pair.target}; run mode verify with the backups of all ${run.shard.count} shards to verify the whole table`
  ctx.reporter.info(`${pair.target}: ${note}`)
  for (const w of run.warnings) ctx.reporter.warn(w)
  return {
    source: pair.source,
    target: pair.target,
    mode: 'migrate',
    status: 'copied',
    itemsScanned: backup.manifest.itemCount,
    itemsWritten: copy.written + copy.resumedFrom,
    expected: { count: backup.manifest.itemCount, digest: backup.manifest.digest },
    backup: { dir: backup.dir, manifest: path.join(backup.dir, MANIFEST_FILE) },
    durationMs: Date.now() - run.started,
    itemsPerSecond: copy.durationMs > 0 ? Math.round((copy.written / copy.durationMs) * 1000) : undefined,
    warnings: [...run.warnings, note]
  }
}
