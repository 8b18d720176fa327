// Live migration's pure parts: the inputs, the retention estimate and the job summary section.
import { describe, expect, it } from '@jest/globals'
import { parseDurationSeconds, readLiveInputs } from '../../src/config/live-inputs.js'
import { estimatedLiveCopySeconds, SAFE_RETENTION_SHARE } from '../../src/engine/live.js'
import { DEFAULT_SETTINGS } from '../../src/engine/settings.js'
import type { MigrationResult } from '../../src/engine/result.js'
import { renderMarkdown } from '../../src/report/markdown.js'
import { MigrationError } from '../../src/errors.js'

const inputs = (values: Record<string, string>) => (name: string) => values[name] ?? ''

describe('live inputs', () => {
  it('is off unless live is true, and refuses live-only inputs without it', () => {
    expect(readLiveInputs(inputs({}))).toBeUndefined()
    expect(readLiveInputs(inputs({ live: 'false', 'allow-enable-stream': 'true' }))).toBeUndefined()
    expect(() => readLiveInputs(inputs({ 'quiet-seconds': '30' }))).toThrow(/applies to live migration only/)
  })

  it('reads every input, with durations in seconds or with units', () => {
    expect(readLiveInputs(inputs({ live: 'true' }))).toEqual({ enabled: true, allowEnableStream: false, syncLagSeconds: 5 })
    expect(
      readLiveInputs(inputs({ live: 'true', 'allow-enable-stream': 'true', 'sync-lag-seconds': '2', 'sync-duration': '15m', 'quiet-seconds': '90s', 'cutover-file': ' /tmp/cut ' }))
    ).toEqual({ enabled: true, allowEnableStream: true, syncLagSeconds: 2, syncDurationSeconds: 900, quietSeconds: 90, cutoverFile: '/tmp/cut' })
    expect(parseDurationSeconds('x', '1h30m')).toBe(5400)
    expect(parseDurationSeconds('x', '2.5')).toBe(2.5)
  })

  it('names the input and the accepted values when a value is wrong', () => {
    for (const [name, value] of [
      ['live', 'yes'],
      ['sync-duration', 'soon'],
      ['quiet-seconds', '0'],
      ['sync-lag-seconds', '30h']
    ]) {
      const error = (() => {
        try {
          readLiveInputs(inputs({ live: name === 'live' ? value! : 'true', [name!]: value! }))
        } catch (e) {
          return e
        }
      })() as MigrationError
      expect(error).toBeInstanceOf(MigrationError)
      expect(error.code).toBe('INVALID_INPUT')
      expect(error.message).toContain(`Input "${name}": got "${value}"`)
    }
  })
})

describe('retention estimate', () => {
  it('refuses tables whose copy would take more than the safe share of 24 h at the expected rate', () => {
    const limit = 24 * 3600 * SAFE_RETENTION_SHARE
    expect(estimatedLiveCopySeconds(1_000_000, DEFAULT_SETTINGS)).toBeLessThan(limit)
    expect(estimatedLiveCopySeconds(100_000_000, DEFAULT_SETTINGS)).toBeGreaterThan(limit)
    expect(estimatedLiveCopySeconds(100_000_000, { ...DEFAULT_SETTINGS, maxWriteRate: 20_000 })).toBeLessThan(limit)
  })
})

describe('job summary', () => {
  const base: MigrationResult = { source: 'orders', target: 'prod-orders', mode: 'migrate', status: 'verified', durationMs: 61_000, warnings: [] }
  it('shows the live phase: records applied, peak and final lag, time in sync, the check', () => {
    const md = renderMarkdown('migrate', [
      { ...base, live: { streamArn: 'arn', recordsApplied: 12345, peakLagSeconds: 42.5, finalLagSeconds: 0.4, inSyncSeconds: 300, stoppedBecause: 'quiet', check: { passed: true, kind: 'source-equals-target' } } },
      {
        ...base,
        source: 'users',
        target: 'prod-users',
        status: 'in-sync',
        live: { streamArn: 'arn', recordsApplied: 7, peakLagSeconds: 3, finalLagSeconds: 1.2, inSyncSeconds: 60, stoppedBecause: 'duration', check: { passed: false, differingKeys: 4, writesRunning: true } }
      }
    ])
    expect(md).toContain('#### Live phase `orders -> prod-orders`')
    expect(md).toContain('| 12,345 | 43 s | 0.4 s | 5 min 0 s | quiet | ✅ source and target equal (count + digest) |')
    expect(md).toContain('🔄 in sync (not yet equal)')
    expect(md).toMatch(/4 keys differ \(writes to the source still running\) — delete stays refused/)
  })
})
