import { describe, expect, it } from '@jest/globals'
import { DEFAULT_RETRY, backoffDelay, isRetryable, withRetry, type Clock, type RetryPolicy } from '../../src/dynamo/retry.js'

function awsError(name: string, status?: number, extra: Record<string, unknown> = {}): Error {
  const e = new Error(`${name} happened`) as Error & Record<string, unknown>
  e.name = name
  if (status !== undefined) e.$metadata = { httpStatusCode: status }
  Object.assign(e, extra)
  return e
}

/** A clock that records the sleeps it is asked for and never waits. */
class FakeClock implements Clock {
  readonly sleeps: number[] = []
  constructor(private readonly value = 0.5) {}
  sleep = async (ms: number): Promise<void> => {
    this.sleeps.push(ms)
  }
  random = (): number => this.value
}

describe('isRetryable', () => {
  it.each([
    'ProvisionedThroughputExceededException',
    'ThrottlingException',
    'RequestLimitExceeded',
    'Throttling',
    'TooManyRequestsException',
    'InternalServerError',
    'ServiceUnavailable',
    'ServiceUnavailableException',
    'RequestTimeout',
    'TimeoutError',
    'TransactionInProgressException'
  ])('retries %s', (name) => {
    expect(isRetryable(awsError(name, 400))).toBe(true)
  })

  it.each([500, 502, 503, 504])('retries any error with HTTP status %i', (status) => {
    expect(isRetryable(awsError('SomethingUnexpected', status))).toBe(true)
  })

  it.each(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNABORTED', 'UND_ERR_SOCKET'])('retries network error code %s', (code) => {
    const e = Object.assign(new Error(`connect ${code}`), { code })
    expect(isRetryable(e)).toBe(true)
  })

  it('retries errors the SDK marks $retryable', () => {
    expect(isRetryable(awsError('Custom', 400, { $retryable: { throttling: true } }))).toBe(true)
  })

  it('retries a socket hang up surfaced as a plain Error', () => {
    expect(isRetryable(new Error('socket hang up'))).toBe(true)
    expect(isRetryable(new Error('read ECONNRESET'))).toBe(true)
  })

  it.each(['ValidationException', 'AccessDeniedException', 'ResourceNotFoundException', 'ConditionalCheckFailedException', 'ResourceInUseException', 'UnrecognizedClientException'])(
    'does not retry %s',
    (name) => {
      expect(isRetryable(awsError(name, 400))).toBe(false)
    }
  )

  it('does not retry 4xx errors without a retryable name', () => {
    expect(isRetryable(awsError('SomethingElse', 404))).toBe(false)
    expect(isRetryable(awsError('SomethingElse'))).toBe(false)
  })

  it('does not retry a plain Error with an unrelated message', () => {
    expect(isRetryable(new Error('Cannot read properties of undefined'))).toBe(false)
  })

  it('matches by name, not by message text', () => {
    expect(isRetryable(awsError('ValidationException', 400, { message: 'ThrottlingException in message only' }))).toBe(false)
  })

  it.each([[undefined], [null], ['ThrottlingException'], [503], [true]])('does not retry the non-object %p', (value) => {
    expect(isRetryable(value)).toBe(false)
  })
})

describe('backoffDelay', () => {
  const policy: RetryPolicy = { maxAttempts: 10, baseDelayMs: 100, maxDelayMs: 1000 }

  it('doubles the ceiling with each attempt until the maximum', () => {
    const almostOne = () => 0.999999
    // ceilings: 100, 200, 400, 800, 1000 (capped), 1000
    expect([1, 2, 3, 4, 5, 6].map((a) => backoffDelay(a, policy, almostOne))).toEqual([99, 199, 399, 799, 999, 999])
  })

  it('scales the ceiling by the random value (full jitter)', () => {
    expect(backoffDelay(3, policy, () => 0.5)).toBe(200)
    expect(backoffDelay(3, policy, () => 0.25)).toBe(100)
  })

  it('can be zero', () => {
    expect(backoffDelay(4, policy, () => 0)).toBe(0)
  })

  it('stays within [0, min(max, base * 2^(attempt-1))) for every attempt and random value', () => {
    const randoms = [0, 0.1, 0.33, 0.5, 0.9, 0.999999999]
    for (let attempt = 1; attempt <= 20; attempt++) {
      const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1))
      for (const r of randoms) {
        const delay = backoffDelay(attempt, policy, () => r)
        expect(delay).toBeGreaterThanOrEqual(0)
        expect(delay).toBeLessThan(ceiling)
        expect(Number.isInteger(delay)).toBe(true)
      }
    }
  })

  it('treats attempt 0 like the first attempt', () => {
    expect(backoffDelay(0, policy, () => 0.5)).toBe(50)
  })

  it('stays bounded for very large attempt numbers', () => {
    expect(backoffDelay(10_000, DEFAULT_RETRY, () => 0.999)).toBeLessThan(DEFAULT_RETRY.maxDelayMs)
  })
})

describe('withRetry', () => {
  const policy: RetryPolicy = { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 1000 }

  it('returns the first success without sleeping', async () => {
    const clock = new FakeClock()
    let calls = 0
    await expect(withRetry(async () => ++calls, policy, clock)).resolves.toBe(1)
    expect(calls).toBe(1)
    expect(clock.sleeps).toEqual([])
  })

  it('retries retryable errors with growing backoff until success', async () => {
    const clock = new FakeClock(0.5)
    let calls = 0
    const result = await withRetry(
      async () => {
        calls++
        if (calls < 3) throw awsError('ProvisionedThroughputExceededException', 400)
        return 'ok'
      },
      policy,
      clock
    )
    expect(result).toBe('ok')
    expect(calls).toBe(3)
    expect(clock.sleeps).toEqual([50, 100])
  })

  it('gives up after maxAttempts attempts and throws the last error', async () => {
    const clock = new FakeClock(0.5)
    let calls = 0
    const error = awsError('ThrottlingException', 400)
    await expect(
      withRetry(
        async () => {
          calls++
          throw error
        },
        policy,
        clock
      )
    ).rejects.toBe(error)
    expect(calls).toBe(policy.maxAttempts)
    expect(clock.sleeps).toEqual([50, 100, 200])
  })

  it('throws a non-retryable error at once', async () => {
    const clock = new FakeClock()
    let calls = 0
    const error = awsError('ValidationException', 400)
    await expect(
      withRetry(
        async () => {
          calls++
          throw error
        },
        policy,
        clock
      )
    ).rejects.toBe(error)
    expect(calls).toBe(1)
    expect(clock.sleeps).toEqual([])
  })

  it('stops retrying when a retryable error is followed by a non-retryable one', async () => {
    const clock = new FakeClock()
    const errors = [awsError('InternalServerError', 500), awsError('AccessDeniedException', 400)]
    let calls = 0
    await expect(
      withRetry(
        async () => {
          throw errors[calls++]
        },
        policy,
        clock
      )
    ).rejects.toMatchObject({ name: 'AccessDeniedException' })
    expect(calls).toBe(2)
    expect(clock.sleeps).toHaveLength(1)
  })

  it('does not retry at all with maxAttempts 1', async () => {
    const clock = new FakeClock()
    let calls = 0
    await expect(
      withRetry(
        async () => {
          calls++
          throw awsError('ThrottlingException', 400)
        },
        { ...policy, maxAttempts: 1 },
        clock
      )
    ).rejects.toMatchObject({ name: 'ThrottlingException' })
    expect(calls).toBe(1)
    expect(clock.sleeps).toEqual([])
  })

  it('keeps every sleep under the policy maximum', async () => {
    const clock = new FakeClock(0.999)
    let calls = 0
    await expect(
      withRetry(
        async () => {
          calls++
          throw Object.assign(new Error('reset'), { code: 'ECONNRESET' })
        },
        { maxAttempts: 12, baseDelayMs: 50, maxDelayMs: 1000 },
        clock
      )
    ).rejects.toThrow('reset')
    expect(calls).toBe(12)
    expect(clock.sleeps).toHaveLength(11)
    for (const ms of clock.sleeps) expect(ms).toBeLessThan(1000)
    expect(Math.max(...clock.sleeps)).toBe(999)
  })
})
