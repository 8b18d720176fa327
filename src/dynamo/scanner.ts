import { ScanCommand, type AttributeValue } from '@aws-sdk/client-dynamodb'
import type { EngineContext } from '../engine/context.js'
import { withRetry } from './retry.js'

export interface ScanOptions {
  table: string
  segment: number
  totalSegments: number
  consistentRead?: boolean
  /** Optional page size cap (items); DynamoDB's own 1 MB page limit always applies. */
  limit?: number
}

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
            Limit: options.limit,
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
