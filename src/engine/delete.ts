import { CreateBackupCommand, DeleteTableCommand, UpdateTableCommand, type TableDescription } from '@aws-sdk/client-dynamodb'
import type { LoadedBackup } from '../backup/manifest.js'
import { describeTable, waitForActive } from '../dynamo/tables.js'
import { MigrationError, errorMessage } from '../errors.js'
import type { EngineContext } from './context.js'
import type { MigrationResult } from './result.js'
import { scanDigest } from './scan-digest.js'
import type { EngineSettings, MigrationPair } from './settings.js'
import { verifyAgainstBackup } from './verify.js'

/**
 * Deletes a source table, only when everything says its data lives on in the target:
 * the name is confirmed, the backup is of this table, the target matches the backup's count
 * and digest right now, and the source itself still matches the backup (a write to the source
 * after the backup would otherwise be lost with it).
 */
export async function deleteSource(ctx: EngineContext, pair: MigrationPair, backup: LoadedBackup, settings: EngineSettings): Promise<MigrationResult> {
  const started = Date.now()
  const refuse = refuser(pair)
  assertConfirmed(pair, settings)
  if (backup.manifest.table.name !== pair.source) refuse(`the backup given is of ${backup.manifest.table.name}`)
  if (backup.manifest.scan.shardCount !== undefined) refuse('the backup is one shard of a fanned-out migration; point the backup input at the folder holding every shard\'s backup (they are combined and checked as one)')
  const description = await assertDeletable(ctx, pair, settings)

  // With allow-non-empty-target the target may hold other items: every backed-up item must be there, equal.
  const verify = await verifyAgainstBackup(ctx, backup, { target: pair.target, segments: settings.scanSegments, consistentRead: true, allowExtraItems: settings.allowNonEmptyTarget })
  if (!verify.verified) refuse(`${pair.target} does not match the backup right now (${verify.actual.count} items, backup ${verify.expected.count}). Nothing was deleted.`)
  const current = (await scanDigest(ctx, pair.source, { segments: settings.scanSegments, consistentRead: true, phase: 'count' })).toJSON()
  if (current.count !== backup.manifest.itemCount || current.digest !== backup.manifest.digest) {
    refuse(`it changed since the backup (${current.count} items now, ${backup.manifest.itemCount} in the backup): those writes are not in ${pair.target}. Migrate again, then delete.`)
  }

  const warnings = await dropSourceTable(ctx, pair.source, description, settings)
  ctx.reporter.info(`${pair.source}: deleted (its ${backup.manifest.itemCount} items are verified in ${pair.target})`)
  return {
    source: pair.source,
    target: pair.target,
    mode: 'delete',
    status: 'deleted',
    itemsVerified: verify.actual.count,
    expected: verify.expected,
    actual: verify.actual,
    durationMs: Date.now() - started,
    warnings
  }
}

/** Throws the one DELETE_REFUSED error a delete of `pair.source` gives. */
export function refuser(pair: MigrationPair): (message: string) => never {
  return (message) => {
    throw new MigrationError('DELETE_REFUSED', `Refusing to delete ${pair.source}: ${message}`)
  }
}

/** The source must be named in confirm-delete. */
export function assertConfirmed(pair: MigrationPair, settings: EngineSettings): void {
  if (!settings.confirmDelete.includes(pair.source)) {
    refuser(pair)(`it is not named in confirm-delete (got: ${settings.confirmDelete.length ? settings.confirmDelete.join(', ') : 'nothing'}). Add "${pair.source}" to confirm-delete to allow it.`)
  }
}

/** Source and target exist, and deletion protection is off or may be turned off. */
export async function assertDeletable(ctx: EngineContext, pair: MigrationPair, settings: EngineSettings): Promise<TableDescription> {
  const refuse = refuser(pair)
  const description = await describeTable(ctx, pair.source)
  if (!description) return refuse('it does not exist (already deleted?)')
  if (!(await describeTable(ctx, pair.target))) refuse(`its target ${pair.target} does not exist`)
  if (description.DeletionProtectionEnabled && !settings.disableDeletionProtection) {
    refuse(`deletion protection is on. Turn it off (aws dynamodb update-table --table-name ${pair.source} --no-deletion-protection-enabled) or set disable-deletion-protection: true.`)
  }
  return description
}

/**
 * The delete itself, once every check passed: an optional on-demand AWS backup, deletion
 * protection off when allowed, then DeleteTable. Returns warnings for the result.
 */
export async function dropSourceTable(ctx: EngineContext, source: string, description: TableDescription, settings: EngineSettings): Promise<string[]> {
  const warnings: string[] = []
  if (settings.awsBackupBeforeDelete) {
    try {
      const out = await ctx.client.send(new CreateBackupCommand({ TableName: source, BackupName: `${source}-before-delete-${Date.now()}`.slice(0, 255) }))
      ctx.reporter.info(`${source}: on-demand AWS backup ${out.BackupDetails?.BackupArn ?? ''} created`)
    } catch (error) {
      warnings.push(`${source}: on-demand AWS backup not taken (${errorMessage(error)}); the file backup remains`)
    }
  }
  if (description.DeletionProtectionEnabled) {
    await ctx.client.send(new UpdateTableCommand({ TableName: source, DeletionProtectionEnabled: false }))
    await waitForActive(ctx, source)
  }
  await ctx.client.send(new DeleteTableCommand({ TableName: source }))
  return warnings
}
