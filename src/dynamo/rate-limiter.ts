import type { Clock } from './retry.js'

/**
 * A token bucket for the `max-write-rate` cap (items per second). One second of burst; a
 * caller asking for more than the bucket holds waits until it has been refilled enough.
 */
export class RateLimiter {
  private tokens: number
  private last: number

  constructor(
    private readonly perSecond: number,
    private readonly clock: Pick<Clock, 'sleep'> & { now(): number } = { sleep: (ms) => new Promise((r) => setTimeout(r, ms)), now: () => Date.now() }
  ) {
    this.tokens = perSecond
    this.last = clock.now()
  }

  async take(count: number): Promise<void> {
    if (this.perSecond <= 0) return
    for (;;) {
      const now = this.clock.now()
      this.tokens = Math.min(this.perSecond, this.tokens + ((now - this.last) / 1000) * this.perSecond)
      this.last = now
      if (this.tokens >= count || (this.tokens >= this.perSecond && count > this.perSecond)) {
        this.tokens -= count
        return
      }
      const missing = Math.min(count, this.perSecond) - this.tokens
      await this.clock.sleep(Math.ceil((missing / this.perSecond) * 1000))
    }
  }
}
