import { describe, expect, it } from '@jest/globals'
import { formatDuration, progressLine, resultLine } from '../../src/report/text.js'
import { migrateResults, planResults } from './report-fixtures.js'

describe('formatDuration', () => {
  it.each([
    [0, '0 s'],
    [250, '0.25 s'],
    [999, '0.999 s'],
    [1000, '1 s'],
    [59_400, '59 s'],
    [60_000, '1 min 0 s'],
    [95_000, '1 min 35 s'],
    [3_599_000, '59 min 59 s'],
    [3_600_000, '1 h 0 min'],
    [7_380_000, '2 h 3 min']
  ])('writes %i ms as %p', (ms, text) => {
    expect(formatDuration(ms)).toBe(text)
  })
})

describe('progressLine', () => {
  it('shows done, total, percentage, rate and ETA', () => {
    expect(progressLine({ phase: 'copy', table: 'qa-order-tracking', done: 12500, total: 50000, rate: 4210.4, etaSeconds: 9 })).toBe(
      'copy qa-order-tracking: 12,500 / 50,000 items (25%), 4,210 items/s, ETA 9 s'
    )
  })

  it('leaves out total, percentage and ETA when the total is unknown', () => {
    expect(progressLine({ phase: 'backup', table: 'orders', done: 42, rate: 10 })).toBe('backup orders: 42 items, 10 items/s')
  })

  it('marks the final event and drops its ETA', () => {
    expect(progressLine({ phase: 'verify', table: 'orders', done: 100, total: 100, rate: 50, etaSeconds: 0, final: true })).toBe(
      'verify orders: 100 / 100 items (100%), 50 items/s (done)'
    )
  })

  it('caps the percentage at 100', () => {
    expect(progressLine({ phase: 'copy', table: 'orders', done: 150, total: 100, rate: 1 })).toContain('(100%)')
  })
})

describe('resultLine', () => {
  it('renders a verified migrate result with its counts and duration', () => {
    expect(resultLine(migrateResults()[0]!)).toBe('orders -> orders-v2: verified (20000 scanned, 20000 written, 20000 verified) in 1 min 35 s')
  })

  it('renders a failed result with its error code and message', () => {
    const line = resultLine(migrateResults()[1]!)
    expect(line).toContain('users -> users-v2: mismatch')
    expect(line).toContain('9 verified')
    expect(line).toContain('— VERIFY_MISMATCH: users-v2 has 9 items, the backup 10')
  })

  it('renders a plan result without counts', () => {
    expect(resultLine(planResults()[1]!)).toBe('users -> users-v2: planned in 0.1 s')
  })
})
