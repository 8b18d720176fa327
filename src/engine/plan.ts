import { countItems } from '../dynamo/tables.js'
import type { EngineContext } from './context.js'
import { plannedCreateInput, preflight, type Refusal } from './preflight.js'
import type { MigrationResult } from './result.js'
import type { EngineSettings, MigrationPair } from './settings.js'

/** Items per second per in-flight request assumed for on-demand targets with no rate cap. */
const ASSUMED_ITEMS_PER_SECOND_PER_REQUEST = 250

/**
 * The read-only dry run: what `migrate` and `delete` would do and refuse, with a real item
 * count (a `Select: COUNT` scan) beside DescribeTable's stale estimate. No write call of any kind.
 */
export async function planPair(ctx: EngineContext, pair: MigrationPair, settings: EngineSettings): Promise<MigrationResult> {
  const started = Date.now()
  const check = await preflight(ctx, pair, settings)
  const source = check.source?.description
  const count = source ? (await countItems(ctx, pair.source, settings.scanSegments)).count : undefined
  const deleteRefusals: Refusal[] = []
  if (!settings.confirmDelete.includes(pair.source)) deleteRefusals.push({ code: 'DELETE_REFUSED', message: `${pair.source} is not named in confirm-delete` })
  if (source?.DeletionProtectionEnabled && !settings.disableDeletionProtection) {
    deleteRefusals.push({ code: 'DELETE_REFUSED', message: `${pair.source} has deletion protection on` })
  }
  const rate = estimatedRate(settings, check.target?.schema.createTable.ProvisionedThroughput?.WriteCapacityUnits ?? check.targetSchema?.createTable.ProvisionedThroughput?.WriteCapacityUnits)
  const estimatedSeconds = count !== undefined ? Math.ceil(count / rate) : undefined
  const advice = largeTableAdvice(pair, Math.max(count ?? 0, source?.ItemCount ?? 0), estimatedSeconds, rate)
  const warnings = advice ? [...check.warnings, advice] : check.warnings
  if (advice) ctx.reporter.warn(advice)
  for (const refusal of check.refusals) ctx.reporter.warn(`${pair.source} -> ${pair.target}: would refuse: ${refusal.message}`)
  return {
    source: pair.source,
    target: pair.target,
    mode: 'plan',
    status: check.refusals.length ? 'refused' : 'planned',
    ...(check.refusals[0] ? { error: { code: check.refusals[0].code, message: check.refusals[0].message } } : {}),
    itemsScanned: count,
    durationMs: Date.now() - started,
    warnings,
    plan: {
      sourceExists: !!source,
      targetExists: !!check.target,
      targetHasItems: check.target?.hasItems,
      sourceItemCount: count,
      sourceApproximateItemCount: source?.ItemCount,
      sourceApproximateBytes: source?.TableSizeBytes,
      targetAction: check.target ? 'use-existing' : source ? 'create' : 'none',
      targetCreateInput: check.target ? undefined : plannedCreateInput(check),
      schemaDiff: check.schemaDiff,
      estimatedSeconds,
      refusals: check.refusals,
      deleteRefusals
    }
  }
}

/** Items/s the copy is expected to reach: the cap, else provisioned WCU, else an assumption. */
export function estimatedRate(settings: EngineSettings, provisionedWcu?: number): number {
  if (settings.maxWriteRate > 0) return settings.maxWriteRate
  if (provisionedWcu && provisionedWcu > 0) return provisionedWcu
  return settings.writeConcurrency * ASSUMED_ITEMS_PER_SECOND_PER_REQUEST
}

/**
 * Beyond these, copying through backup files in one job is the wrong tool: a GitHub-hosted job
 * runs at most 6 hours, and tens of millions of items take that long at ordinary write rates.
 */
export const LARGE_TABLE_SECONDS = 6 * 3600
export const LARGE_TABLE_ITEMS = 50_000_000

/**
 * The recommendation for a table too large to copy in one job: DynamoDB's own export to S3 and
 * ImportTable (which creates the target; CloudFormation can then import it, the name matching),
 * or a fan-out over several runners. Undefined when the table is small enough.
 */
export function largeTableAdvice(pair: MigrationPair, items: number, estimatedSeconds: number | undefined, rate: number): string | undefined {
  const tooLong = estimatedSeconds !== undefined && estimatedSeconds > LARGE_TABLE_SECONDS
  if (!tooLong && items <= LARGE_TABLE_ITEMS) return undefined
  const hours = estimatedSeconds !== undefined ? `${(estimatedSeconds / 3600).toFixed(1)} h` : 'unknown'
  const why = tooLong ? `the copy is estimated at ${hours} (${items.toLocaleString('en-US')} items at ${rate.toLocaleString('en-US')} items/s), more than the 6 h a GitHub-hosted job may run` : `${items.toLocaleString('en-US')} items is more than ${LARGE_TABLE_ITEMS.toLocaleString('en-US')}`
  return (
    `${pair.source} is a very large table: ${why}. Consider DynamoDB's server-side path instead: ExportTableToPointInTime to S3, then ImportTable ` +
    `to create ${pair.target} from the export (no write capacity used), then import ${pair.target} into your CloudFormation stack (docs/large-tables.md). ` +
    `Or fan the copy out over several runners (shard, shard-count), or raise write-concurrency/max-write-rate if the target's capacity allows.`
  )
}
