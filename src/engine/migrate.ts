import path from 'node:path'
import { createTableFromSchema, waitForActive } from '../dynamo/tables.js'
import { MANIFEST_FILE, type LoadedBackup } from '../backup/manifest.js'
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

/**
 * backup → ensure target → copy → verify, for one pair. Every refusal is raised by the
 * preflight, before the first write; the target is created only after the backup succeeded.
 */
export async function migratePair(ctx: EngineContext, pair: MigrationPair, settings: EngineSettings, onBackup?: (backup: LoadedBackup) => Promise<void>): Promise<MigrationResult> {
  const started = Date.now()
  const check = await preflight(ctx, pair, settings)
  assertNoRefusals(check)
  const source = check.source
  if (!source || !check.targetSchema) throw new Error('preflight passed without a source')
  const warnings = [...check.warnings]

  const backup = await backupTable(ctx, {
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
  await onBackup?.(backup)

  if (!check.target) {
    ctx.reporter.info(`${pair.target}: creating it with the schema of ${pair.source}`)
    await createTableFromSchema(ctx, pair.target, check.targetSchema, warnings)
  } else {
    await waitForActive(ctx, pair.target)
  }

  const copy = await copyBackup(ctx, backup, { target: pair.target, writeConcurrency: settings.writeConcurrency, maxWriteRate: settings.maxWriteRate })
  const verify = await verifyAgainstBackup(ctx, backup, {
    target: pair.target,
    segments: settings.scanSegments,
    allowExtraItems: settings.allowNonEmptyTarget && !!check.target?.hasItems,
    consistentRead: true
  })
  for (const w of warnings) ctx.reporter.warn(w)
  const durationMs = Date.now() - started
  return {
    source: pair.source,
    target: pair.target,
    mode: 'migrate',
    status: verify.verified ? 'verified' : 'mismatch',
    ...(verify.verified ? {} : { error: { code: 'VERIFY_MISMATCH', message: `${pair.target} does not match the backup of ${pair.source}` } }),
    itemsScanned: backup.manifest.itemCount,
    itemsWritten: copy.written,
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
