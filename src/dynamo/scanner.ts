import { ScanCommand, type AttributeValue } from '@aws-sdk/client-dynamodb'
import type { EngineContext } from '../engine/context.js'
import { withRetry } from './retry.js'

export interface ScanOptions {
  table: string
  segment: number
  totalSegments: number
  consistentRead?: boolean
  /** Page size cap (items, default SCAN_PAGE_ITEMS); DynamoDB's own 1 MB page limit always applies. */
  limit?: number
}

/**
 * Items per Scan page. Each segment in flight holds a page several times over while it is
 * parsed (response bytes, text, parsed JSON, items), and V8 promotes what is in flight: at 4
 * segments, 1 MB pages put a 200,000-item scan's peak RSS near 280 MB, 250-item pages a backup's
 * near 180 MB, 100-item pages near 140 MB, as fast (npm run bench, docs/performance.md).
 * Read capacity is charged on the bytes read, rounded up to 4 KB per page: smaller pages cost at
 * most that rounding more. Where round trips are slow (a runner far from the region), more scan
 * segments give the throughput back, at some memory (about +30 MB at 8).
 */
export const SCAN_PAGE_ITEMS = 100

/**
 * Yields every page of one parallel-scan segment, following LastEvaluatedKey to the end (the
 * article's single scan silently stopped at 1 MB). A failed page is retried from the same
 * ExclusiveStartKey, so a retry never skips or repeats items.
 */
export async function* scanSegment(ctx: EngineContext, options: ScanOptions): AsyncGenerator<Record<string, AttributeValue>[]> {
  let start: Record<string, AttributeValue> | undefined
  do {
    const out = await withRetry(
      () =>
        ctx.client.send(
          new ScanCommand({
            TableName: options.table,
            ExclusiveStartKey: start,
            ConsistentRead: options.consistentRead || undefined,
            Limit: options.limit ?? SCAN_PAGE_ITEMS,
            ...(options.totalSegments > 1 ? { Segment: options.segment, TotalSegments: options.totalSegments } : {})
          })
        ),
      ctx.retry,
      ctx.clock
    )
    yield out.Items ?? []
    start = out.LastEvaluatedKey
  } while (start)
}

/** The segments a run scans: all of them, or shard i's share of them. */
export function segmentsFor(totalSegments: number, shard = 0, shardCount = 1): number[] {
  const all = Array.from({ length: totalSegments }, (_, i) => i)
  return all.filter((segment) => segment % shardCount === shard)
}
