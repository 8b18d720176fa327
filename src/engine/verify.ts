import type { LoadedBackup } from '../backup/manifest.js'
import type { EngineContext } from './context.js'
import { keyedDiff, type KeyedDiff } from './keyed-diff.js'
import { scanDigest } from './scan-digest.js'

export interface VerifyOptions {
  target: string
  segments: number
  /** The target held items before the copy: verified when every backup item is there, equal. */
  allowExtraItems?: boolean
  consistentRead?: boolean
}

export interface VerifyResult {
  table: string
  expected: { count: number; digest: string }
  actual: { count: number; digest: string }
  /** Count and digest equal (or, with allowExtraItems, every backup item present and equal). */
  verified: boolean
  /** Present when count or digest differ: which keys, found by a keyed comparison. */
  diff?: KeyedDiff
  durationMs: number
}

/**
 * Verifies a table against a backup: item count and order-independent content digest, both
 * computed from a fresh scan (DescribeTable's ItemCount is hours stale and never used). On a
 * mismatch it finds the differing keys.
 */
export async function verifyAgainstBackup(ctx: EngineContext, backup: LoadedBackup, options: VerifyOptions): Promise<VerifyResult> {
  const started = Date.now()
  const expected = { count: backup.manifest.itemCount, digest: backup.manifest.digest }
  const actual = (await scanDigest(ctx, options.target, { segments: options.segments, consistentRead: options.consistentRead, expected: expected.count })).toJSON()
  let verified = actual.count === expected.count && actual.digest === expected.digest
  let diff: KeyedDiff | undefined
  if (!verified) {
    ctx.reporter.info(`${options.target}: count or digest differ from the backup; comparing key by key`)
    diff = await keyedDiff(ctx, backup, options.target, options.segments)
    verified = !!options.allowExtraItems && diff.missing === 0 && diff.changed === 0
  }
  const result = { table: options.target, expected, actual, verified, diff, durationMs: Date.now() - started }
  ctx.reporter.info(describeVerify(result))
  return result
}

export function describeVerify(r: VerifyResult): string {
  if (r.verified && !r.diff) return `${r.table}: verified, ${r.actual.count} items, digest ${r.actual.digest.slice(0, 16)}… matches the backup`
  if (r.verified) return `${r.table}: verified, every one of the backup's ${r.expected.count} items is present and equal (${r.diff?.extra} other items were already in the table)`
  const d = r.diff
  const examples = d?.examples.map((e) => `${e.kind} ${e.key}`).join('; ')
  return `${r.table}: NOT verified: ${r.actual.count} items (backup ${r.expected.count}); ${d?.missing ?? '?'} missing, ${d?.extra ?? '?'} extra, ${d?.changed ?? '?'} changed${examples ? `; first: ${examples}` : ''}`
}
