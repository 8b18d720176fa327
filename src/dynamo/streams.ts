import {
  DescribeStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type DynamoDBStreamsClient,
  type _Record,
  type Shard,
  type ShardIteratorType,
  type StreamViewType
} from '@aws-sdk/client-dynamodb-streams'
import { MigrationError, errorMessage } from '../errors.js'
import { backoffDelay, isRetryable, type Clock, type RetryPolicy } from './retry.js'

/**
 * The three DynamoDB Streams calls a live migration makes, behind an interface so the shard
 * lineage logic can also be driven by a scripted fake (unit tests) and the real client in every
 * other case (DynamoDB Local, AWS).
 */
export interface StreamsApi {
  describeStream(streamArn: string): Promise<StreamInfo>
  /** Undefined when the shard is closed and nothing is left past that position. */
  getShardIterator(streamArn: string, shardId: string, type: ShardIteratorType, sequenceNumber?: string): Promise<string | undefined>
  /** `next` undefined: the shard is closed and this was its end. */
  getRecords(iterator: string, limit: number): Promise<{ records: _Record[]; next?: string }>
}

export interface StreamInfo {
  status?: string
  viewType?: StreamViewType
  shards: Shard[]
}

/** DynamoDB Streams throttling is LimitExceededException; everything else as for DynamoDB. */
export function isStreamRetryable(error: unknown): boolean {
  return isRetryable(error) || (error as { name?: string })?.name === 'LimitExceededException'
}

export async function streamRetry<T>(fn: () => Promise<T>, policy: RetryPolicy, clock: Clock): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn()
    } catch (error) {
      if (!isStreamRetryable(error) || attempt >= policy.maxAttempts) throw error
      await clock.sleep(backoffDelay(attempt, policy, clock.random))
    }
  }
}

/** The real client, with retries of throttling and transient errors. */
export function streamsApi(client: DynamoDBStreamsClient, retry: RetryPolicy, clock: Clock): StreamsApi {
  return {
    async describeStream(streamArn) {
      const shards: Shard[] = []
      let start: string | undefined
      let status: string | undefined
      let viewType: StreamViewType | undefined
      do {
        const out = await streamRetry(() => client.send(new DescribeStreamCommand({ StreamArn: streamArn, ExclusiveStartShardId: start, Limit: 100 })), retry, clock)
        const d = out.StreamDescription
        status = d?.StreamStatus
        viewType = d?.StreamViewType
        shards.push(...(d?.Shards ?? []))
        start = d?.LastEvaluatedShardId
      } while (start)
      return { status, viewType, shards }
    },
    async getShardIterator(streamArn, shardId, type, sequenceNumber) {
      const out = await streamRetry(
        () => client.send(new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shardId, ShardIteratorType: type, SequenceNumber: sequenceNumber })),
        retry,
        clock
      )
      return out.ShardIterator
    },
    async getRecords(iterator, limit) {
      const out = await streamRetry(() => client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: limit })), retry, clock)
      return { records: out.Records ?? [], next: out.NextShardIterator }
    }
  }
}

export const errorName = (error: unknown): string => (error as { name?: string })?.name ?? ''

/** Records were removed by the 24-hour retention before they were read. */
export function isTrimmed(error: unknown): boolean {
  return errorName(error) === 'TrimmedDataAccessException'
}

export function isExpiredIterator(error: unknown): boolean {
  return errorName(error) === 'ExpiredIteratorException'
}

export function trimmedError(table: string, detail: string, cause?: unknown): MigrationError {
  return new MigrationError(
    'STREAM_TRIMMED',
    `The stream of ${table} no longer holds records this migration had not read yet (${detail}${cause ? `: ${errorMessage(cause)}` : ''}). ` +
      `DynamoDB keeps stream records for 24 hours; writes made to ${table} after the copy started may be missing from the target, so it is NOT verified and nothing may be deleted. ` +
      `Start a new live migration into an empty target (or use the maintenance-window flow).`,
    { detail }
  )
}

/** Shards whose sequence range has no end are still being written. */
export const isOpen = (shard: Shard): boolean => !shard.SequenceNumberRange?.EndingSequenceNumber

/** Compares two DynamoDB Streams sequence numbers (decimal strings of up to 40 digits). */
export function compareSequence(a: string, b: string): number {
  const x = BigInt(a)
  const y = BigInt(b)
  return x < y ? -1 : x > y ? 1 : 0
}

/** Where a shard's reading (re)starts when no live iterator is at hand. */
export type ShardStart = { type: 'LATEST' } | { type: 'TRIM_HORIZON' } | { type: 'AT_SEQUENCE_NUMBER'; sequenceNumber: string }

/** One shard as the tail sees it; everything but the iterator and the timings is persisted. */
export interface ShardProgress {
  shardId: string
  parentShardId?: string
  /** waiting: its parent is not read to its end yet; done: closed and read to its end (or closed before the position). */
  status: 'waiting' | 'reading' | 'done'
  start: ShardStart
  /** The last record applied: reading resumes after it. */
  lastSequenceNumber?: string
}

interface ShardRuntime {
  iterator?: string
  iteratorAt?: number
  /** When the last fetch returned less than a full page: the shard was at its tip then. */
  tipAt?: number
  /** ApproximateCreationDateTime (ms) of the last record fetched, when the last page was full. */
  behindSince?: number
  fetchedOnce?: boolean
}

export interface TailPosition {
  streamArn: string
  recordedAt: string
  shards: ShardProgress[]
}

/** One shard's records from one GetRecords call, in sequence order. */
export interface ShardPage {
  shardId: string
  records: _Record[]
  next?: string
  fetchedAt: number
}

export interface TailOptions {
  /** The source table, for messages. */
  table: string
  now?: () => number
  /** Records per GetRecords call (DynamoDB's maximum is 1000). */
  pageSize?: number
  /** GetRecords calls in flight across shards. */
  concurrency?: number
}

/** Shard iterators expire 15 minutes after they are issued; a fresh one is taken after this. */
const ITERATOR_MAX_AGE_MS = 10 * 60_000
/** Child shards start at TRIM_HORIZON: refuse to rely on that when the parent's records are this old. */
const RETENTION_GUARD_MS = 23 * 3600_000

/**
 * Reads a DynamoDB stream from a recorded position, following shard lineage: a child shard is
 * read only once its parent is read to its end (a key's changes move from parent to child, so
 * this keeps every key's changes in order); shards open at the start are read from the LATEST
 * iterators taken then, shards born later from TRIM_HORIZON.
 *
 * The caller applies each batch of pages, then calls `commit` with them; only then do positions
 * advance and children become readable, so a crash or an error never skips a record.
 */
export class StreamTail {
  readonly shards = new Map<string, ShardProgress>()
  private readonly runtime = new Map<string, ShardRuntime>()
  private readonly now: () => number
  private readonly pageSize: number
  private readonly concurrency: number
  needsDiscovery = false
  lastDiscoveryAt = 0

  constructor(
    private readonly api: StreamsApi,
    readonly streamArn: string,
    private readonly options: TailOptions,
    position?: TailPosition
  ) {
    this.now = options.now ?? Date.now
    this.pageSize = options.pageSize ?? 1000
    this.concurrency = options.concurrency ?? 16
    for (const s of position?.shards ?? []) this.shards.set(s.shardId, { ...s })
  }

  private rt(id: string): ShardRuntime {
    let r = this.runtime.get(id)
    if (!r) this.runtime.set(id, (r = {}))
    return r
  }

  /**
   * The exact position "now": a LATEST iterator for every open shard, taken before the scan
   * starts. Closed shards hold only changes made before now, which the scan sees.
   */
  async recordPosition(): Promise<TailPosition> {
    const info = await this.api.describeStream(this.streamArn)
    this.lastDiscoveryAt = this.now()
    for (const shard of info.shards) {
      const id = shard.ShardId as string
      if (!isOpen(shard)) {
        this.shards.set(id, { shardId: id, parentShardId: shard.ParentShardId, status: 'done', start: { type: 'LATEST' } })
        continue
      }
      const iterator = await this.mapErrors(id, () => this.api.getShardIterator(this.streamArn, id, 'LATEST'))
      this.shards.set(id, { shardId: id, parentShardId: shard.ParentShardId, status: iterator ? 'reading' : 'done', start: { type: 'LATEST' } })
      Object.assign(this.rt(id), { iterator, iteratorAt: this.now() })
    }
    return this.position()
  }

  position(): TailPosition {
    return { streamArn: this.streamArn, recordedAt: new Date(this.now()).toISOString(), shards: [...this.shards.values()].map((s) => ({ ...s })) }
  }

  /**
   * Keeps the LATEST iterators alive while the copy runs (they expire after 15 minutes) and
   * turns each into a durable position: once a shard has a record after the position, its
   * sequence number (AT_SEQUENCE_NUMBER) marks the spot for 24 hours. Nothing is applied here.
   */
  async pin(): Promise<void> {
    for (const s of this.shards.values()) {
      if (s.status !== 'reading' || s.start.type !== 'LATEST' || s.lastSequenceNumber) continue
      const r = this.rt(s.shardId)
      if (!r.iterator) continue
      const page = await this.mapErrors(s.shardId, () => this.api.getRecords(r.iterator as string, 1), true)
      const first = page.records[0]
      if (first?.dynamodb?.SequenceNumber) {
        s.start = { type: 'AT_SEQUENCE_NUMBER', sequenceNumber: first.dynamodb.SequenceNumber }
        r.iterator = undefined
      } else if (page.next) {
        Object.assign(r, { iterator: page.next, iteratorAt: this.now() })
      } else {
        s.status = 'done'
        this.needsDiscovery = true
      }
    }
  }

  /**
   * After a restart (another job), iterators are gone: a shard that never had a record after
   * the position is re-read from TRIM_HORIZON. That replays older changes of its keys before
   * the newer ones, which ends in the same state (only the cost of reading them).
   */
  forgetIterators(): number {
    let reread = 0
    for (const s of this.shards.values()) {
      if (s.status === 'reading' && s.start.type === 'LATEST' && !s.lastSequenceNumber) {
        s.start = { type: 'TRIM_HORIZON' }
        reread++
      }
    }
    this.runtime.clear()
    return reread
  }

  /** Finds shards born since the last look; fails when a shard still to be read has disappeared (trimmed). */
  async discover(): Promise<void> {
    const info = await this.api.describeStream(this.streamArn)
    this.lastDiscoveryAt = this.now()
    this.needsDiscovery = false
    if (info.status && info.status !== 'ENABLED' && info.status !== 'ENABLING') {
      // A disabled stream keeps its records readable for 24 hours: read what is there, then fail at the end.
      if (![...this.shards.values()].some((s) => s.status !== 'done')) {
        throw trimmedError(this.options.table, `its stream is ${info.status}: changes made since then are not recorded`)
      }
    }
    const listed = new Set<string>()
    for (const shard of info.shards) {
      const id = shard.ShardId as string
      listed.add(id)
      if (this.shards.has(id)) continue
      this.shards.set(id, { shardId: id, parentShardId: shard.ParentShardId, status: 'waiting', start: { type: 'TRIM_HORIZON' } })
    }
    for (const s of this.shards.values()) {
      if (s.status !== 'done' && !listed.has(s.shardId)) throw trimmedError(this.options.table, `shard ${s.shardId} left the stream before it was read to its end`)
    }
    this.promote()
  }

  /** Waiting shards whose parent is read to its end (or unknown: older than the position) become readable. */
  private promote(): void {
    for (const s of this.shards.values()) {
      if (s.status !== 'waiting') continue
      const parent = s.parentShardId ? this.shards.get(s.parentShardId) : undefined
      if (parent && parent.status !== 'done') continue
      const parentBehind = parent ? this.runtime.get(parent.shardId)?.behindSince : undefined
      if (parentBehind !== undefined && this.now() - parentBehind > RETENTION_GUARD_MS) {
        throw trimmedError(this.options.table, `shard ${s.shardId} would be read from TRIM_HORIZON while its parent's records are over 23 hours old; its first records may already be trimmed`)
      }
      s.status = 'reading'
    }
  }

  /** True while a shard is being or will be read. */
  get active(): boolean {
    return [...this.shards.values()].some((s) => s.status !== 'done')
  }

  get readingCount(): number {
    return [...this.shards.values()].filter((s) => s.status === 'reading').length
  }

  /** One GetRecords call on every readable shard. Positions do not move until `commit`. */
  async fetch(): Promise<ShardPage[]> {
    this.promote()
    const reading = [...this.shards.values()].filter((s) => s.status === 'reading')
    const pages: ShardPage[] = []
    let next = 0
    const worker = async () => {
      while (next < reading.length) {
        const s = reading[next++] as ShardProgress
        const page = await this.fetchShard(s)
        if (page) pages.push(page)
      }
    }
    await Promise.all(Array.from({ length: Math.min(this.concurrency, reading.length) }, worker))
    return pages
  }

  private async fetchShard(s: ShardProgress): Promise<ShardPage | undefined> {
    const r = this.rt(s.shardId)
    for (let attempt = 1; ; attempt++) {
      if (!r.iterator || (r.iteratorAt !== undefined && this.now() - r.iteratorAt > ITERATOR_MAX_AGE_MS && this.canReposition(s))) {
        r.iterator = await this.freshIterator(s)
        r.iteratorAt = this.now()
        if (!r.iterator) return { shardId: s.shardId, records: [], next: undefined, fetchedAt: this.now() }
      }
      try {
        const fetchedAt = this.now()
        const out = await this.api.getRecords(r.iterator, this.pageSize)
        return { shardId: s.shardId, records: out.records, next: out.next, fetchedAt }
      } catch (error) {
        if (isExpiredIterator(error) && this.canReposition(s) && attempt < 3) {
          r.iterator = undefined
          continue
        }
        throw this.mapError(s.shardId, error)
      }
    }
  }

  /** A shard can be re-positioned when it has a durable position (not a bare LATEST iterator). */
  private canReposition(s: ShardProgress): boolean {
    return !!s.lastSequenceNumber || s.start.type !== 'LATEST'
  }

  private async freshIterator(s: ShardProgress): Promise<string | undefined> {
    const [type, seq]: [ShardIteratorType, string | undefined] = s.lastSequenceNumber
      ? ['AFTER_SEQUENCE_NUMBER', s.lastSequenceNumber]
      : s.start.type === 'AT_SEQUENCE_NUMBER'
        ? ['AT_SEQUENCE_NUMBER', s.start.sequenceNumber]
        : s.start.type === 'TRIM_HORIZON'
          ? ['TRIM_HORIZON', undefined]
          : (() => {
              throw trimmedError(this.options.table, `the position recorded in shard ${s.shardId} (a LATEST iterator) expired before a record arrived`)
            })()
    return this.mapErrors(s.shardId, () => this.api.getShardIterator(this.streamArn, s.shardId, type, seq))
  }

  /** Records the pages as applied: positions advance, closed shards end, children may start. */
  commit(pages: ShardPage[]): void {
    for (const page of pages) {
      const s = this.shards.get(page.shardId)
      if (!s) continue
      const r = this.rt(page.shardId)
      r.fetchedOnce = true
      const last = page.records[page.records.length - 1]
      if (last?.dynamodb?.SequenceNumber) s.lastSequenceNumber = last.dynamodb.SequenceNumber
      if (page.records.length >= this.pageSize) {
        const created = last?.dynamodb?.ApproximateCreationDateTime
        r.behindSince = created ? created.getTime() : (r.behindSince ?? page.fetchedAt)
        r.tipAt = undefined
      } else {
        r.tipAt = page.fetchedAt
        if (last?.dynamodb?.ApproximateCreationDateTime) r.behindSince = last.dynamodb.ApproximateCreationDateTime.getTime()
      }
      r.iterator = page.next
      r.iteratorAt = this.now()
      if (!page.next) {
        s.status = 'done'
        this.needsDiscovery = true
      }
    }
    this.promote()
  }

  /**
   * How far behind the source the replay may be, in seconds: for a shard at its tip, the time
   * since that fetch (changes made since are not applied yet); for a shard with more to read,
   * the age of the last record applied (ApproximateCreationDateTime, whole seconds or coarser).
   */
  lagSeconds(): number {
    const now = this.now()
    let lag = 0
    for (const s of this.shards.values()) {
      if (s.status !== 'reading') continue
      const r = this.runtime.get(s.shardId)
      if (!r?.fetchedOnce) continue
      const since = r.tipAt ?? r.behindSince
      if (since !== undefined) lag = Math.max(lag, (now - since) / 1000)
    }
    return lag
  }

  private mapError(shardId: string, error: unknown, pinning = false): unknown {
    if (isTrimmed(error)) return trimmedError(this.options.table, `records of shard ${shardId} were trimmed before they were read`, error)
    if (isExpiredIterator(error)) {
      return trimmedError(this.options.table, `the ${pinning ? 'LATEST ' : ''}iterator of shard ${shardId} expired before its position was made durable`, error)
    }
    if (errorName(error) === 'ResourceNotFoundException') return trimmedError(this.options.table, `shard ${shardId} or the stream is gone`, error)
    return error
  }

  private async mapErrors<T>(shardId: string, fn: () => Promise<T>, pinning = false): Promise<T> {
    try {
      return await fn()
    } catch (error) {
      throw this.mapError(shardId, error, pinning)
    }
  }
}
