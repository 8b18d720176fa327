/**
 * Which AWS errors are worth retrying, and jittered exponential backoff with an injectable
 * sleep and random source so tests can run it without waiting.
 */

const RETRYABLE_NAMES = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'Throttling',
  'TooManyRequestsException',
  'InternalServerError',
  'InternalFailure',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
  'TransactionInProgressException'
])

const RETRYABLE_NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNABORTED', 'UND_ERR_SOCKET'])

interface AwsLikeError {
  name?: string
  code?: string
  $retryable?: unknown
  $metadata?: { httpStatusCode?: number }
}

/** Throttling, 5xx and network failures are retryable; validation and access errors are not. */
export function isRetryable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false
  const e = error as AwsLikeError
  if (e.name && RETRYABLE_NAMES.has(e.name)) return true
  if (e.code && RETRYABLE_NETWORK_CODES.has(e.code)) return true
  if (e.$retryable) return true
  const status = e.$metadata?.httpStatusCode
  if (status !== undefined && (status >= 500 || status === 429)) return true
  // A socket error surfaced by the HTTP handler before any response.
  return e.name === 'Error' && /socket hang up|ECONNRESET|EPIPE/.test(String((error as Error).message))
}

export interface RetryPolicy {
  /** Attempts in a row without progress before giving up. */
  maxAttempts: number
  /** Delay ceiling of the first retry, in milliseconds. */
  baseDelayMs: number
  /** Upper bound of any single delay, in milliseconds. */
  maxDelayMs: number
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 12, baseDelayMs: 50, maxDelayMs: 10_000 }

export interface Clock {
  sleep(ms: number): Promise<void>
  random(): number
}

export const realClock: Clock = {
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: Math.random
}

/** "Full jitter": a uniform delay between 0 and the exponential ceiling for this attempt. */
export function backoffDelay(attempt: number, policy: RetryPolicy, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1))
  return Math.floor(random() * ceiling)
}

/**
 * Runs `fn` until it succeeds, retrying retryable errors with backoff, at most
 * `policy.maxAttempts` times. Non-retryable errors are thrown at once.
 */
export async function withRetry<T>(fn: () => Promise<T>, policy: RetryPolicy, clock: Clock = realClock): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn()
    } catch (error) {
      if (!isRetryable(error) || attempt >= policy.maxAttempts) throw error
      await clock.sleep(backoffDelay(attempt, policy, clock.random))
    }
  }
}
