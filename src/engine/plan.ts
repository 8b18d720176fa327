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
  for (const refusal of check.refusals) ctx.reporter.warn(`${pair.source} -> ${pair.target}: would refuse: ${refusal.message}`)
  return {
    source: pair.source,
    target: pair.target,
    mode: 'plan',
    status: check.refusals.length ? 'refused' : 'planned',
    ...(check.refusals[0] ? { error: { code: check.refusals[0].code, message: check.refusals[0].message } } : {}),
    itemsScanned: count,
    durationMs: Date.now() - started,
    warnings: check.warnings,
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
      estimatedSeconds: count !== undefined ? Math.ceil(count / rate) : undefined,
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
