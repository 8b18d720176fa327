import { readFlow } from '../backup/flow.js'
import type { LoadedBackup } from '../backup/manifest.js'
import { locateBackup } from '../backup/locate.js'
import { assertWholeBackup } from '../backup/shards.js'
import { describeTable } from '../dynamo/tables.js'
import { MigrationError, errorMessage } from '../errors.js'
import type { EngineContext } from './context.js'
import { deleteSource } from './delete.js'
import { liveDeletePair, liveMigratePair, liveVerifyPair, readLiveState, type LiveOptions } from './live.js'
import { migratePair } from './migrate.js'
import { planPair } from './plan.js'
import { restorePair } from './restore.js'
import type { MigrationResult, Mode } from './result.js'
import type { EngineSettings, MigrationPair } from './settings.js'
import { deleteSourcePhase, dropTemp, fromTemp, tempTableName, toTemp } from './temp-table.js'
import { verifyAgainstBackup } from './verify.js'

export interface RunOptions {
  mode: Mode
  pairs: MigrationPair[]
  settings: EngineSettings
  /** The backup `verify`, `delete`, `restore` and the later temp-table phases work from. */
  backupLocation?: string
  /** Temp table name for the temp-table phases (default `<source>-temp`). */
  tempTable?: string
  /** Called once a backup is complete, or its flow record changed (the action uploads it). */
  onBackup?: (pair: MigrationPair, backup: LoadedBackup) => Promise<void>
  /** DynamoDB Streams client for live migration (default: one built like ctx.client). */
  streams?: LiveOptions['streams']
}

/** Modes where source and target may be the same name (IaC recreates the table under it). */
const SAME_NAME_MODES: ReadonlySet<Mode> = new Set<Mode>(['restore', 'to-temp', 'delete-source', 'from-temp', 'drop-temp'])

/**
 * Runs one mode over every pair, at most `tableConcurrency` tables at a time. Each pair gets
 * its own result: a failure in one never hides or stops another.
 */
export async function runMigrations(ctx: EngineContext, options: RunOptions): Promise<MigrationResult[]> {
  const results: MigrationResult[] = new Array(options.pairs.length)
  const duplicates = duplicateTargets(options.pairs)
  const chained = chainedTables(options.pairs)
  let next = 0
  const worker = async () => {
    while (next < options.pairs.length) {
      const index = next++
      const pair = options.pairs[index] as MigrationPair
      const started = Date.now()
      try {
        if (chained.has(pair.source) || chained.has(pair.target)) {
          throw new MigrationError(
            'CHAINED_PAIRS',
            `${chained.has(pair.source) ? pair.source : pair.target} is the target of one migration and the source of another in the same run; the second would copy it before the first filled it. Run them in separate runs, in order.`
          )
        }
        if (duplicates.has(pair.target)) {
          throw new MigrationError('DUPLICATE_TARGET', `Target ${pair.target} is named by more than one migration; each target takes one source.`)
        }
        if (pair.source === pair.target && !SAME_NAME_MODES.has(options.mode)) {
          throw new MigrationError(
            'SAME_SOURCE_AND_TARGET',
            `Source and target are both "${pair.source}": a migration needs a new name. When the name is right but the table must be recreated by IaC, use the temp-table modes (to-temp, delete-source, from-temp, drop-temp).`
          )
        }
        results[index] = await runOne(ctx, pair, options)
      } catch (error) {
        results[index] = failedResult(pair, options.mode, error, Date.now() - started)
        ctx.reporter.warn(`${pair.source} -> ${pair.target}: ${results[index].status}: ${errorMessage(error)}`)
      }
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.settings.tableConcurrency, options.pairs.length)) }, worker))
  return results
}

function backupFor(options: RunOptions, pair: MigrationPair, flowOnly = false): Promise<LoadedBackup> {
  const location = options.backupLocation ?? options.settings.backupDir
  return locateBackup(location, pair.source, flowOnly ? async (b) => (await readFlow(b.dir))?.target === pair.target : undefined)
}

async function runOne(ctx: EngineContext, pair: MigrationPair, options: RunOptions): Promise<MigrationResult> {
  const { settings } = options
  const uploaded = options.onBackup ? (b: LoadedBackup) => options.onBackup!(pair, b) : undefined
  switch (options.mode) {
    case 'plan':
      return planPair(ctx, pair, settings)
    case 'migrate': {
      const backup = options.backupLocation ? await backupFor(options, pair) : undefined
      if (settings.live?.enabled) return liveMigratePair(ctx, pair, settings, { backup, onBackup: uploaded, streams: options.streams })
      return migratePair(ctx, pair, settings, { backup, onBackup: uploaded })
    }
    case 'verify': {
      const started = Date.now()
      const backup = await backupFor(options, pair)
      assertWholeBackup(backup)
      const live = await readLiveState(backup.dir)
      if (live) return liveVerifyPair(ctx, pair, backup, live, settings)
      if (!(await describeTable(ctx, pair.target))) throw new MigrationError('TARGET_MISSING', `Cannot verify ${pair.target}: the table does not exist.`)
      const verify = await verifyAgainstBackup(ctx, backup, { target: pair.target, segments: settings.scanSegments, consistentRead: true, allowExtraItems: settings.allowNonEmptyTarget })
      return {
        source: pair.source,
        target: pair.target,
        mode: 'verify',
        status: verify.verified ? 'verified' : 'mismatch',
        ...(verify.verified ? {} : { error: { code: 'VERIFY_MISMATCH', message: `${pair.target} does not match the backup of ${pair.source}` } }),
        itemsVerified: verify.actual.count,
        expected: verify.expected,
        actual: verify.actual,
        diff: verify.diff,
        durationMs: Date.now() - started,
        warnings: []
      }
    }
    case 'delete': {
      const backup = await backupFor(options, pair)
      const live = await readLiveState(backup.dir)
      return live ? liveDeletePair(ctx, pair, backup, live, settings) : deleteSource(ctx, pair, backup, settings)
    }
    case 'restore': {
      if (!options.backupLocation) throw new MigrationError('INVALID_INPUT', 'mode restore needs the backup input: a backup folder, manifest.json, aws dynamodb scan JSON file(s), or S3 export files.')
      return restorePair(ctx, pair, settings, options.backupLocation)
    }
    case 'to-temp':
      return toTemp(ctx, pair, settings, tempTableName(pair, options.tempTable), uploaded)
    case 'delete-source': {
      const backup = await backupFor(options, pair, true)
      const result = await deleteSourcePhase(ctx, pair, settings, backup)
      await uploaded?.(backup)
      return result
    }
    case 'from-temp': {
      const backup = await backupFor(options, pair, true)
      const result = await fromTemp(ctx, pair, settings, backup)
      await uploaded?.(backup)
      return result
    }
    case 'drop-temp': {
      const backup = await backupFor(options, pair, true)
      const result = await dropTemp(ctx, pair, settings, backup)
      await uploaded?.(backup)
      return result
    }
  }
}

/** Tables that are one pair's target and another pair's source. */
function chainedTables(pairs: MigrationPair[]): Set<string> {
  const sources = new Set(pairs.filter((p) => p.source !== p.target).map((p) => p.source))
  return new Set(pairs.filter((p) => p.source !== p.target && sources.has(p.target)).map((p) => p.target))
}

function duplicateTargets(pairs: MigrationPair[]): Set<string> {
  const seen = new Set<string>()
  const dup = new Set<string>()
  for (const p of pairs) (seen.has(p.target) ? dup : seen).add(p.target)
  return dup
}

export function failedResult(pair: MigrationPair, mode: Mode, error: unknown, durationMs: number): MigrationResult {
  const refusal = error instanceof MigrationError && error.isRefusal
  return {
    source: pair.source,
    target: pair.target,
    mode,
    status: refusal ? 'refused' : 'failed',
    error: { code: error instanceof MigrationError ? error.code : 'AWS_ERROR', message: errorMessage(error) },
    durationMs,
    warnings: []
  }
}
