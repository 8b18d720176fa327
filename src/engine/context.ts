import type { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { DEFAULT_RETRY, realClock, type Clock, type RetryPolicy } from '../dynamo/retry.js'

/** Progress of one phase of one table, reported while it runs. */
export interface ProgressEvent {
  phase: 'backup' | 'copy' | 'verify' | 'count' | 'restore'
  table: string
  done: number
  total?: number
  /** Items per second since the phase started. */
  rate: number
  /** Seconds left at the current rate, when the total is known. */
  etaSeconds?: number
  final?: boolean
}

/**
 * Where the engine says what it is doing. The action writes to the job log, the CLI to a
 * terminal; tests collect the lines. The engine never imports either front end.
 */
export interface Reporter {
  info(message: string): void
  warn(message: string): void
  progress(event: ProgressEvent): void
  /** How often progress is reported while a phase runs (default 5 s: a job log; a terminal wants more). */
  readonly progressIntervalMs?: number
}

export const silentReporter: Reporter = { info: () => {}, warn: () => {}, progress: () => {} }

export interface EngineContext {
  client: DynamoDBClient
  reporter: Reporter
  retry: RetryPolicy
  clock: Clock
}

export function engineContext(client: DynamoDBClient, reporter: Reporter = silentReporter, overrides: Partial<Pick<EngineContext, 'retry' | 'clock'>> = {}): EngineContext {
  return { client, reporter, retry: overrides.retry ?? DEFAULT_RETRY, clock: overrides.clock ?? realClock }
}

/** Emits progress at most every `intervalMs`, plus a final event. */
export class ProgressTicker {
  private readonly started = Date.now()
  private lastEmit = 0

  constructor(
    private readonly reporter: Reporter,
    private readonly phase: ProgressEvent['phase'],
    private readonly table: string,
    private readonly total?: number,
    private readonly intervalMs = reporter.progressIntervalMs ?? 5000
  ) {}

  update(done: number, final = false): void {
    const now = Date.now()
    if (!final && now - this.lastEmit < this.intervalMs) return
    this.lastEmit = now
    const seconds = Math.max(0.001, (now - this.started) / 1000)
    const rate = done / seconds
    const etaSeconds = this.total !== undefined && rate > 0 ? Math.max(0, (this.total - done) / rate) : undefined
    this.reporter.progress({ phase: this.phase, table: this.table, done, total: this.total, rate, etaSeconds, final })
  }
}
