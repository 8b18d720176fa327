import { toJsonItem, type JsonItem } from '../dynamo/attribute-json.js'
import { ContentDigest } from '../dynamo/digest.js'
import { scanSegment } from '../dynamo/scanner.js'
import { ProgressTicker, type EngineContext, type ProgressEvent } from './context.js'

/**
 * Count and content digest of a live table, by a parallel scan. The per-segment digests add
 * up to the table's, so the segments run independently. `onItem` sees every item (keyed diff).
 */
export async function scanDigest(
  ctx: EngineContext,
  table: string,
  options: { segments: number; consistentRead?: boolean; expected?: number; phase?: ProgressEvent['phase'] },
  onItem?: (item: JsonItem, hash: string) => Promise<void> | void
): Promise<ContentDigest> {
  const ticker = new ProgressTicker(ctx.reporter, options.phase ?? 'verify', table, options.expected)
  const total = new ContentDigest()
  let scanned = 0
  const parts = await Promise.all(
    Array.from({ length: options.segments }, async (_, segment) => {
      const digest = new ContentDigest()
      for await (const page of scanSegment(ctx, { table, segment, totalSegments: options.segments, consistentRead: options.consistentRead })) {
        for (const raw of page) {
          const item = toJsonItem(raw)
          const hash = digest.add(item)
          if (onItem) await onItem(item, hash)
        }
        scanned += page.length
        ticker.update(scanned)
      }
      return digest
    })
  )
  for (const part of parts) total.merge(part)
  ticker.update(scanned, true)
  return total
}
