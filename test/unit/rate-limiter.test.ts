import { describe, expect, it } from '@jest/globals'
import { RateLimiter } from '../../src/dynamo/rate-limiter.js'

/** A fake clock: sleeping moves time forward at once and is recorded. */
class FakeClock {
  time = 1_000_000
  readonly sleeps: number[] = []
  now = (): number => this.time
  sleep = async (ms: number): Promise<void> => {
    this.sleeps.push(ms)
    this.time += ms
  }
}

describe('RateLimiter', () => {
  it('lets a first second of burst through without waiting', async () => {
    const clock = new FakeClock()
    const limiter = new RateLimiter(100, clock)
    for (let i = 0; i < 4; i++) await limiter.take(25)
    expect(clock.sleeps).toEqual([])
  })

  it('waits once the burst is used up, for as long as the missing tokens take', async () => {
    const clock = new FakeClock()
    const limiter = new RateLimiter(100, clock)
    await limiter.take(100)
    await limiter.take(25)
    expect(clock.sleeps).toEqual([250])
    await limiter.take(50)
    expect(clock.sleeps).toEqual([250, 500])
  })

  it('caps items per second over a long run', async () => {
    const clock = new FakeClock()
    const start = clock.time
    const perSecond = 50
    const limiter = new RateLimiter(perSecond, clock)
    let taken = 0
    for (let i = 0; i < 200; i++) {
      await limiter.take(25)
      taken += 25
      // Never more than one second of burst plus the rate times the time elapsed.
      const elapsed = (clock.time - start) / 1000
      expect(taken).toBeLessThanOrEqual(perSecond * (elapsed + 1) + 1e-9)
    }
    const elapsed = (clock.time - start) / 1000
    // 5000 items at 50/s, the first 50 free: 99 seconds.
    expect(elapsed).toBeCloseTo((taken - perSecond) / perSecond, 1)
  })

  it('refills tokens with the time that passed between calls', async () => {
    const clock = new FakeClock()
    const limiter = new RateLimiter(10, clock)
    await limiter.take(10)
    clock.time += 500
    await limiter.take(5)
    expect(clock.sleeps).toEqual([])
    await limiter.take(5)
    expect(clock.sleeps).toEqual([500])
  })

  it('does not save up more than one second of tokens', async () => {
    const clock = new FakeClock()
    const limiter = new RateLimiter(10, clock)
    clock.time += 60_000
    await limiter.take(10)
    await limiter.take(10)
    expect(clock.sleeps).toEqual([1000])
  })

  it('lets a request larger than the bucket through when full, then makes later ones wait it off', async () => {
    const clock = new FakeClock()
    const limiter = new RateLimiter(10, clock)
    await limiter.take(25)
    expect(clock.sleeps).toEqual([])
    await limiter.take(10)
    // 25 items taken on a 10/s budget leave a 15-token debt: 2.5 s until 10 more are allowed.
    expect(clock.sleeps.reduce((a, b) => a + b, 0)).toBe(2500)
  })

  it('makes a request larger than the bucket wait for a full bucket', async () => {
    const clock = new FakeClock()
    const limiter = new RateLimiter(10, clock)
    await limiter.take(4)
    await limiter.take(25)
    expect(clock.sleeps.reduce((a, b) => a + b, 0)).toBe(400)
  })

  it('never waits when the rate is 0 (no cap)', async () => {
    const clock = new FakeClock()
    const limiter = new RateLimiter(0, clock)
    for (let i = 0; i < 100; i++) await limiter.take(1000)
    expect(clock.sleeps).toEqual([])
  })

  it('never waits when the rate is negative', async () => {
    const clock = new FakeClock()
    const limiter = new RateLimiter(-5, clock)
    await limiter.take(1000)
    expect(clock.sleeps).toEqual([])
  })

  it('lets a take of 0 items through', async () => {
    const clock = new FakeClock()
    const limiter = new RateLimiter(1, clock)
    await limiter.take(1)
    await limiter.take(0)
    expect(clock.sleeps).toEqual([])
  })
})
