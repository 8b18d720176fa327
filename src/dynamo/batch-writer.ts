import { BatchWriteItemCommand, type WriteRequest } from '@aws-sdk/client-dynamodb'
import type { EngineContext } from '../engine/context.js'
import { MigrationError, errorMessage } from '../errors.js'
import { toSdkItem, type JsonItem } from './attribute-json.js'
import { RateLimiter } from './rate-limiter.js'
import { backoffDelay, isRetryable } from './retry.js'

/** DynamoDB's BatchWriteItem limits: 25 requests and 16 MB per call. */
export const MAX_BATCH_ITEMS = 25
export const MAX_BATCH_BYTES = 16 * 1024 * 1024 - 64 * 1024

export interface WriteOptions {
  table: string
  /** BatchWriteItem requests in flight. */
  concurrency: number
  /** Items per second across all requests; 0 means no cap. */
  maxRate?: number
  /** Key attribute names, to name the items that could not be written. */
  keyAttributes: string[]
  /** Called after every batch with the number of items written so far. */
  onProgress?: (written: number) => void
  /** Called with each batch once every item of it is written (checkpoints). */
  onBatchWritten?: (batch: PendingItem[]) => Promise<void> | void
}

export interface PendingItem {
  item: JsonItem
  /** Approximate request size, from the item's serialised length. */
  bytes: number
  /** Where the item came from (backup file and line), for checkpoints. */
  file?: string
  line?: number
}

export interface WriteStats {
  written: number
  /** Requests re-sent because of UnprocessedItems or retryable errors. */
  retries: number
  unprocessedReturned: number
}

/** Groups items into BatchWriteItem-sized batches without reading ahead more than one batch. */
export async function* batchesOf(items: AsyncIterable<PendingItem>): AsyncGenerator<PendingItem[]> {
  let batch: PendingItem[] = []
  let bytes = 0
  for await (const entry of items) {
    if (batch.length === MAX_BATCH_ITEMS || (batch.length > 0 && bytes + entry.bytes > MAX_BATCH_BYTES)) {
      yield batch
      batch = []
      bytes = 0
    }
    batch.push(entry)
    bytes += entry.bytes
  }
  if (batch.length) yield batch
}

/**
 * Writes every item with BatchWriteItem, `concurrency` requests in flight. Every
 * UnprocessedItems entry, throttling error and retryable failure is retried with full-jitter
 * backoff; after `retry.maxAttempts` attempts in a row without progress the copy stops with a
 * WRITE_INCOMPLETE error that says how many items were not written and names the first keys.
 */
export async function writeAll(ctx: EngineContext, items: AsyncIterable<PendingItem>, options: WriteOptions): Promise<WriteStats> {
  const stats: WriteStats = { written: 0, retries: 0, unprocessedReturned: 0 }
  const limiter = options.maxRate ? new RateLimiter(options.maxRate) : undefined
  const batches = batchesOf(items)
  let failure: { error: unknown; unwritten: WriteRequest[] } | undefined
  let attempted = 0

  const worker = async () => {
    while (!failure) {
      const next = await batches.next()
      if (next.done) return
      attempted += next.value.length
      const requests = next.value.map((p) => ({ PutRequest: { Item: toSdkItem(p.item) } }))
      await limiter?.take(requests.length)
      const result = await writeBatch(ctx, options.table, requests, stats)
      if (result) {
        failure ??= result
        return
      }
      await options.onBatchWritten?.(next.value)
      options.onProgress?.(stats.written)
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency) }, worker))

  if (failure) {
    // Count what was never attempted too: the report must say exactly what is missing.
    let notAttempted = 0
    for (;;) {
      const next = await batches.next()
      if (next.done) break
      notAttempted += next.value.length
    }
    const unwritten = failure.unwritten.length
    const keys = failure.unwritten.slice(0, 10).map((r) => describeKey(r, options.keyAttributes))
    throw new MigrationError(
      'WRITE_INCOMPLETE',
      // "not confirmed": a write whose answer was lost (connection reset) may still have landed.
      `Copy into ${options.table} stopped: ${stats.written} items written, ${attempted - stats.written + notAttempted} not confirmed written ` +
        `(${unwritten} still failing after ${ctx.retry.maxAttempts} attempts: ${errorMessage(failure.error)}; first keys ${keys.join('; ')}). ` +
        `The target is incomplete and nothing was deleted; rerun to finish the copy.`,
      { written: stats.written, failing: unwritten, notAttempted, keys }
    )
  }
  return stats
}

function describeKey(request: WriteRequest, keyAttributes: string[]): string {
  const item = request.PutRequest?.Item ?? {}
  return keyAttributes.map((k) => `${k}=${JSON.stringify(item[k]?.S ?? item[k]?.N ?? '(binary)')}`).join(', ')
}

/** Sends one batch until every request is written; returns the failure instead of throwing. */
async function writeBatch(ctx: EngineContext, table: string, requests: WriteRequest[], stats: WriteStats): Promise<{ error: unknown; unwritten: WriteRequest[] } | undefined> {
  let pending = requests
  let attemptsWithoutProgress = 0
  let lastError: unknown = 'UnprocessedItems returned on every attempt'
  while (pending.length) {
    try {
      const out = await ctx.client.send(new BatchWriteItemCommand({ RequestItems: { [table]: pending } }))
      const unprocessed = out.UnprocessedItems?.[table] ?? []
      stats.written += pending.length - unprocessed.length
      stats.unprocessedReturned += unprocessed.length
      attemptsWithoutProgress = unprocessed.length < pending.length ? 0 : attemptsWithoutProgress + 1
      lastError = `${unprocessed.length} UnprocessedItems returned`
      pending = unprocessed
    } catch (error) {
      if (!isRetryable(error)) return { error, unwritten: pending }
      attemptsWithoutProgress++
      lastError = error
    }
    if (!pending.length) return undefined
    if (attemptsWithoutProgress >= ctx.retry.maxAttempts) return { error: lastError, unwritten: pending }
    stats.retries++
    await ctx.clock.sleep(backoffDelay(Math.max(1, attemptsWithoutProgress), ctx.retry, ctx.clock.random))
  }
  return undefined
}
