import { describe, expect, it } from '@jest/globals'
import { LARGE_TABLE_ITEMS, LARGE_TABLE_SECONDS, estimatedRate, largeTableAdvice } from '../../src/engine/plan.js'
import { DEFAULT_SETTINGS } from '../../src/engine/settings.js'

const pair = { source: 'orders', target: 'prod-orders' }

describe('largeTableAdvice', () => {
  it('says nothing for a table that copies within the limits', () => {
    expect(largeTableAdvice(pair, 1_000_000, 500, 2000)).toBeUndefined()
    expect(largeTableAdvice(pair, LARGE_TABLE_ITEMS, LARGE_TABLE_SECONDS, 2000)).toBeUndefined()
  })

  it('recommends export to S3 + ImportTable when the estimate is beyond 6 hours', () => {
    const advice = largeTableAdvice(pair, 30_000_000, LARGE_TABLE_SECONDS + 1, 1000)
    expect(advice).toMatch(/^orders is a very large table: the copy is estimated at 6\.0 h \(30,000,000 items at 1,000 items\/s\)/)
    expect(advice).toMatch(/ExportTableToPointInTime/)
    expect(advice).toMatch(/ImportTable to create prod-orders/)
    expect(advice).toMatch(/docs\/large-tables\.md/)
    expect(advice).toMatch(/shard, shard-count/)
  })

  it('recommends it beyond 50 million items, even at a rate that would be fast enough', () => {
    expect(largeTableAdvice(pair, LARGE_TABLE_ITEMS + 1, 3600, 1e6)).toMatch(/50,000,001 items is more than 50,000,000/)
  })

  it('uses the configured rate: a rate cap, else provisioned WCU, else the in-flight requests', () => {
    expect(estimatedRate({ ...DEFAULT_SETTINGS, maxWriteRate: 500 }, 100)).toBe(500)
    expect(estimatedRate({ ...DEFAULT_SETTINGS, maxWriteRate: 0 }, 100)).toBe(100)
    expect(estimatedRate({ ...DEFAULT_SETTINGS, maxWriteRate: 0, writeConcurrency: 8 })).toBe(2000)
  })
})
