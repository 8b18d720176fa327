import type { LoadedBackup } from '../backup/manifest.js'
import { locateBackup } from '../backup/locate.js'
import { MigrationError, errorMessage } from '../errors.js'
import type { EngineContext } from './context.js'
import { deleteSource } from './delete.js'
import { migratePair } from './migrate.js'
import { planPair } from './plan.js'
import type { MigrationResult, Mode } from './result.js'
import type { EngineSettings, MigrationPair } from './settings.js'
import { verifyAgainstBackup } from './verify.js'

export interface RunOptions {
  mode: Mode
  pairs: MigrationPair[]
  settings: EngineSettings
  /** Where `verify` and `delete` look for backups (a folder, a manifest, or a folder of them). */
  backupLocation?: string
  /** Called once a backup is complete (the action uploads it as an artifact). */
  onBackup?: (pair: MigrationPair, backup: LoadedBackup) => Promise<void>
}

/**
 * Runs one mode over every pair, at most `tableConcurrency` tables at a time. Each pair gets
 * its own result: a failure in one never hides or stops another.
 */
export async function runMigrations(ctx: EngineContext, options: RunOptions): Promise<MigrationResult[]> {
  const results: MigrationResult[] = new Array(options.pairs.length)
  const duplicates = duplicateTargets(options.pairs)
  let next = 0
  const worker = async () => {
    while (next < options.pairs.length) {
      const index = next++
      const pair = options.pairs[index] as MigrationPair
      const started = Date.now()
      try {
        if (duplicates.has(pair.target)) {
          throw new MigrationError('DUPLICATE_TARGET', `Target ${pair.target} is named by more than one migration; each target takes one source.`)
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

async function runOne(ctx: EngineContext, pair: MigrationPair, options: RunOptions): Promise<MigrationResult> {
  const { settings } = options
  switch (options.mode) {
    case 'plan':
      return planPair(ctx, pair, settings)
    case 'migrate':
      return migratePair(ctx, pair, settings, options.onBackup ? (b) => options.onBackup!(pair, b) : undefined)
    case 'verify': {
      const started = Date.now()
      const backup = await locateBackup(options.backupLocation ?? settings.backupDir, pair.source)
      const verify = await verifyAgainstBackup(ctx, backup, { target: pair.target, segments: settings.scanSegments, consistentRead: true })
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
      const backup = await locateBackup(options.backupLocation ?? settings.backupDir, pair.source)
      return deleteSource(ctx, pair, backup, settings)
    }
  }
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
