import { DeleteTableCommand } from '@aws-sdk/client-dynamodb'
import type { LoadedBackup } from '../backup/manifest.js'
import { readFlow, writeFlow, type FlowPhase, type TempFlowState } from '../backup/flow.js'
import { describeTable, waitForActive } from '../dynamo/tables.js'
import { MigrationError } from '../errors.js'
import { backupTable } from './backup.js'
import type { EngineContext } from './context.js'
import { copyBackup } from './copy.js'
import { deleteSource } from './delete.js'
import { backupFolder, migratePair } from './migrate.js'
import { assertNoRefusals, preflight } from './preflight.js'
import type { FlowSummary, MigrationResult } from './result.js'
import type { EngineSettings, MigrationPair } from './settings.js'
import { verifyAgainstBackup } from './verify.js'

/**
 * The production case of the article: the right name already exists outside IaC, so the data
 * takes a round trip through a temporary table around the user's IaC deploy:
 *   to-temp → delete-source (gated) → [IaC deploy] → from-temp → drop-temp
 */

export function tempTableName(pair: MigrationPair, override?: string): string {
  return override ?? `${pair.source}-temp`
}

const ORDER: FlowPhase[] = ['to-temp', 'delete-source', 'from-temp', 'drop-temp']

function summary(flow: TempFlowState, phase: FlowPhase): FlowSummary {
  const absent =
    flow.sourceDeletedAt && flow.targetCreatedAt ? Math.max(0, (Date.parse(flow.targetCreatedAt) - Date.parse(flow.sourceDeletedAt)) / 1000) : undefined
  return {
    temp: flow.temp,
    phase,
    completed: ORDER.filter((p) => flow.phases[p]),
    sourceDeletedAt: flow.sourceDeletedAt,
    targetCreatedAt: flow.targetCreatedAt,
    absentSeconds: absent
  }
}

/** Reads the flow record of a backup and checks `phase` may run now, for this pair. */
async function flowFor(backup: LoadedBackup, pair: MigrationPair, phase: FlowPhase): Promise<TempFlowState> {
  const flow = await readFlow(backup.dir)
  const previous = ORDER[ORDER.indexOf(phase) - 1] as FlowPhase
  if (!flow) throw new MigrationError('PHASE_ORDER', `${phase} needs the backup written by to-temp (with its flow.json); ${backup.dir} has none. Run to-temp first and pass its backup.`)
  if (flow.source !== pair.source || flow.target !== pair.target) {
    throw new MigrationError('PHASE_ORDER', `${phase}: the backup given belongs to the flow ${flow.source} -> ${flow.target} (temp ${flow.temp}), not ${pair.source} -> ${pair.target}.`)
  }
  if (!flow.phases[previous]) {
    throw new MigrationError('PHASE_ORDER', `${phase} for ${pair.source} cannot run yet: ${previous} has not completed (done so far: ${ORDER.filter((p) => flow.phases[p]).join(', ') || 'nothing'}).`)
  }
  if (flow.phases[phase]) throw new MigrationError('PHASE_ORDER', `${phase} for ${pair.source} already completed at ${flow.phases[phase]?.at}.`)
  return flow
}

async function record(backup: LoadedBackup, flow: TempFlowState, phase: FlowPhase, extra: Partial<TempFlowState> = {}): Promise<TempFlowState> {
  const next = { ...flow, ...extra, phases: { ...flow.phases, [phase]: { at: new Date().toISOString(), runId: process.env.GITHUB_RUN_ID } } }
  await writeFlow(backup.dir, next)
  return next
}

/** to-temp: migrate the original into the temp table (same schema), verified, and start the flow record. */
export async function toTemp(ctx: EngineContext, pair: MigrationPair, settings: EngineSettings, temp: string, onBackup?: (b: LoadedBackup) => Promise<void>): Promise<MigrationResult> {
  let backup: LoadedBackup | undefined
  const result = await migratePair(ctx, { source: pair.source, target: temp }, settings, {
    onBackup: async (b) => {
      backup = b
    }
  })
  if (!backup) throw new Error('to-temp finished without a backup')
  const flow: TempFlowState = {
    flow: 'temp-table',
    source: pair.source,
    target: pair.target,
    temp,
    original: { count: backup.manifest.itemCount, digest: backup.manifest.digest },
    phases: {}
  }
  const recorded = result.status === 'verified' ? await record(backup, flow, 'to-temp') : flow
  await onBackup?.(backup)
  return { ...result, source: pair.source, target: pair.target, mode: 'to-temp', flow: summary(recorded, 'to-temp') }
}

/** delete-source: the gated delete of the original, only after to-temp verified in this flow. */
export async function deleteSourcePhase(ctx: EngineContext, pair: MigrationPair, settings: EngineSettings, backup: LoadedBackup): Promise<MigrationResult> {
  const flow = await flowFor(backup, pair, 'delete-source')
  const result = await deleteSource(ctx, { source: pair.source, target: flow.temp }, backup, settings)
  const next = await record(backup, flow, 'delete-source', { sourceDeletedAt: new Date().toISOString() })
  return { ...result, target: pair.target, mode: 'delete-source', flow: summary(next, 'delete-source') }
}

/**
 * from-temp: copy the temp table into the table the IaC deploy made (schema checked against
 * the original's), verified against the original's backup digest, not only the temp's.
 */
export async function fromTemp(ctx: EngineContext, pair: MigrationPair, settings: EngineSettings, backup: LoadedBackup, onBackup?: (b: LoadedBackup) => Promise<void>): Promise<MigrationResult> {
  const started = Date.now()
  const flow = await flowFor(backup, pair, 'from-temp')
  const target = await describeTable(ctx, pair.target)
  if (!target) {
    throw new MigrationError('TARGET_MISSING', `from-temp: ${pair.target} does not exist. Run your IaC deploy (it creates the table) between delete-source and from-temp.`)
  }
  const check = await preflight(ctx, { source: flow.temp, target: pair.target }, settings, { backupSchema: backup.manifest.table.schema })
  // The temp table's schema is the original's, so this also checks the IaC table against the original.
  assertNoRefusals(check)
  const tempDescription = await describeTable(ctx, flow.temp)
  if (!tempDescription || !check.source) throw new MigrationError('SOURCE_MISSING', `from-temp: the temp table ${flow.temp} does not exist; restore it from the backup (mode restore) first.`)
  const tempBackup = await backupTable(ctx, {
    table: flow.temp,
    description: tempDescription,
    schema: check.source.schema,
    dir: backupFolder(settings, flow.temp),
    totalSegments: settings.scanSegments,
    consistentRead: true,
    region: settings.region
  })
  if (tempBackup.manifest.itemCount !== flow.original.count || tempBackup.manifest.digest !== flow.original.digest) {
    throw new MigrationError(
      'BACKUP_MISMATCH',
      `from-temp: the temp table ${flow.temp} no longer matches the original's backup (${tempBackup.manifest.itemCount} items, backup ${flow.original.count}); nothing was written. Restore the original's backup into ${pair.target} instead.`
    )
  }
  await onBackup?.(tempBackup)
  await waitForActive(ctx, pair.target)
  const copy = await copyBackup(ctx, tempBackup, { target: pair.target, writeConcurrency: settings.writeConcurrency, maxWriteRate: settings.maxWriteRate })
  const verify = await verifyAgainstBackup(ctx, backup, { target: pair.target, segments: settings.scanSegments, consistentRead: true })
  const next = verify.verified ? await record(backup, flow, 'from-temp', { targetCreatedAt: target.CreationDateTime?.toISOString() }) : flow
  return {
    source: pair.source,
    target: pair.target,
    mode: 'from-temp',
    status: verify.verified ? 'verified' : 'mismatch',
    ...(verify.verified ? {} : { error: { code: 'VERIFY_MISMATCH', message: `${pair.target} does not match the original backup of ${pair.source}` } }),
    itemsScanned: tempBackup.manifest.itemCount,
    itemsWritten: copy.written + copy.resumedFrom,
    itemsVerified: verify.actual.count,
    expected: verify.expected,
    actual: verify.actual,
    diff: verify.diff,
    durationMs: Date.now() - started,
    itemsPerSecond: copy.durationMs > 0 ? Math.round((copy.written / copy.durationMs) * 1000) : undefined,
    warnings: check.warnings,
    flow: summary({ ...next, targetCreatedAt: target.CreationDateTime?.toISOString() }, 'from-temp')
  }
}

/** drop-temp: delete the temp table, only after from-temp verified and the target still matches. */
export async function dropTemp(ctx: EngineContext, pair: MigrationPair, settings: EngineSettings, backup: LoadedBackup): Promise<MigrationResult> {
  const started = Date.now()
  const flow = await flowFor(backup, pair, 'drop-temp')
  const verify = await verifyAgainstBackup(ctx, backup, { target: pair.target, segments: settings.scanSegments, consistentRead: true })
  if (!verify.verified) {
    throw new MigrationError('DELETE_REFUSED', `Refusing to drop ${flow.temp}: ${pair.target} no longer matches the original backup (${verify.actual.count} items, backup ${verify.expected.count}).`)
  }
  if (await describeTable(ctx, flow.temp)) await ctx.client.send(new DeleteTableCommand({ TableName: flow.temp }))
  ctx.reporter.info(`${flow.temp}: dropped; ${pair.target} holds the original's ${verify.actual.count} items, verified`)
  const next = await record(backup, flow, 'drop-temp')
  return {
    source: pair.source,
    target: pair.target,
    mode: 'drop-temp',
    status: 'deleted',
    itemsVerified: verify.actual.count,
    expected: verify.expected,
    actual: verify.actual,
    durationMs: Date.now() - started,
    warnings: [],
    flow: summary(next, 'drop-temp')
  }
}
