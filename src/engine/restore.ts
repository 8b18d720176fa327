import path from 'node:path'
import { MANIFEST_FILE, type LoadedBackup } from '../backup/manifest.js'
import { detectBackupFormat } from '../backup/formats.js'
import { importForeignBackup } from '../backup/import-foreign.js'
import { locateBackup } from '../backup/locate.js'
import { createTableFromSchema, describeTable, readTableSchema, waitForActive } from '../dynamo/tables.js'
import { MigrationError } from '../errors.js'
import type { EngineContext } from './context.js'
import { copyBackup } from './copy.js'
import { backupFolder } from './migrate.js'
import { assertNoRefusals, preflight } from './preflight.js'
import type { MigrationResult } from './result.js'
import type { EngineSettings, MigrationPair } from './settings.js'
import { verifyAgainstBackup } from './verify.js'

/**
 * Writes a backup into `pair.target` (created from the backup's schema when missing), then
 * verifies it. `pair.source` names the backed-up table, to pick its backup in a folder of them.
 * Reads this tool's backups, `aws dynamodb scan` JSON output and DynamoDB S3 export files.
 */
export async function restorePair(ctx: EngineContext, pair: MigrationPair, settings: EngineSettings, location: string): Promise<MigrationResult> {
  const started = Date.now()
  const detected = await detectBackupFormat(location)
  const warnings: string[] = []
  let backup: LoadedBackup
  if (detected.format === 'native') {
    backup = await locateBackup(location, pair.source)
  } else {
    // Scan output and S3 exports carry no schema: the target must exist, and gives it.
    const existing = await describeTable(ctx, pair.target)
    if (!existing) {
      throw new MigrationError(
        'TARGET_MISSING',
        `Cannot restore ${location} (${detected.format}) into ${pair.target}: the table does not exist and that format carries no schema. Create it first (IaC), or restore from this tool's own backup.`
      )
    }
    const schema = await readTableSchema(ctx, existing, warnings)
    backup = await importForeignBackup(detected, backupFolder(settings, `${pair.target}-restore`), pair.source, schema)
    ctx.reporter.info(`${pair.target}: read ${backup.manifest.itemCount} items from ${detected.files.length} ${detected.format} file(s)`)
  }

  const check = await preflight(ctx, pair, settings, { backupSchema: backup.manifest.table.schema, ignoreSource: true })
  assertNoRefusals(check)
  warnings.push(...check.warnings)
  if (!check.target) {
    ctx.reporter.info(`${pair.target}: creating it with the schema recorded in the backup of ${backup.manifest.table.name}`)
    await createTableFromSchema(ctx, pair.target, check.targetSchema!, warnings)
  } else {
    await waitForActive(ctx, pair.target)
  }
  const copy = await copyBackup(ctx, backup, { target: pair.target, writeConcurrency: settings.writeConcurrency, maxWriteRate: settings.maxWriteRate, resume: false })
  const verify = await verifyAgainstBackup(ctx, backup, { target: pair.target, segments: settings.scanSegments, allowExtraItems: settings.allowNonEmptyTarget, consistentRead: true })
  return {
    source: pair.source,
    target: pair.target,
    mode: 'restore',
    status: verify.verified ? 'verified' : 'mismatch',
    ...(verify.verified ? {} : { error: { code: 'VERIFY_MISMATCH', message: `${pair.target} does not match the backup` } }),
    itemsScanned: backup.manifest.itemCount,
    itemsWritten: copy.written,
    itemsVerified: verify.actual.count,
    expected: verify.expected,
    actual: verify.actual,
    diff: verify.diff,
    backup: { dir: backup.dir, manifest: path.join(backup.dir, MANIFEST_FILE) },
    durationMs: Date.now() - started,
    itemsPerSecond: copy.durationMs > 0 ? Math.round((copy.written / copy.durationMs) * 1000) : undefined,
    warnings
  }
}
