import { MigrationError } from '../errors.js'
import type { LiveSettings } from '../engine/settings.js'

/** The action's live-migration inputs (docs/live-migration.md). */
export const LIVE_INPUTS = {
  live: 'live',
  allowEnableStream: 'allow-enable-stream',
  syncLagSeconds: 'sync-lag-seconds',
  syncDuration: 'sync-duration',
  quietSeconds: 'quiet-seconds',
  cutoverFile: 'cutover-file'
} as const

export const DEFAULT_SYNC_LAG_SECONDS = 5

const invalid = (name: string, value: string, expected: string) => new MigrationError('INVALID_INPUT', `Input "${name}": got "${value}"; expected ${expected}.`)

function bool(name: string, value: string): boolean {
  if (value === '') return false
  if (['true', 'True', 'TRUE'].includes(value)) return true
  if (['false', 'False', 'FALSE'].includes(value)) return false
  throw invalid(name, value, 'true or false')
}

/** Seconds from `90`, `90s`, `15m`, `2h` or `1h30m`; undefined when empty. */
export function parseDurationSeconds(name: string, value: string): number | undefined {
  const v = value.trim()
  if (v === '') return undefined
  if (/^\d+(\.\d+)?$/.test(v)) return Number(v)
  const m = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(v)
  if (!m || (!m[1] && !m[2] && !m[3])) throw invalid(name, value, 'seconds (300) or a duration such as 90s, 15m, 2h, 1h30m')
  return Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0)
}

/**
 * Reads the live inputs; undefined unless `live` is true. `raw(name)` returns the input's text
 * ('' when not given), as `core.getInput` does.
 */
export function readLiveInputs(raw: (name: string) => string): LiveSettings | undefined {
  if (!bool(LIVE_INPUTS.live, raw(LIVE_INPUTS.live))) {
    for (const name of [LIVE_INPUTS.syncDuration, LIVE_INPUTS.quietSeconds, LIVE_INPUTS.cutoverFile]) {
      if (raw(name) !== '') throw new MigrationError('INVALID_INPUT', `Input "${name}" applies to live migration only: set live: true, or remove it.`)
    }
    return undefined
  }
  const lag = parseDurationSeconds(LIVE_INPUTS.syncLagSeconds, raw(LIVE_INPUTS.syncLagSeconds)) ?? DEFAULT_SYNC_LAG_SECONDS
  const syncDurationSeconds = parseDurationSeconds(LIVE_INPUTS.syncDuration, raw(LIVE_INPUTS.syncDuration))
  const quietSeconds = parseDurationSeconds(LIVE_INPUTS.quietSeconds, raw(LIVE_INPUTS.quietSeconds))
  const maxSeconds = 20 * 3600
  for (const [name, v] of [
    [LIVE_INPUTS.syncLagSeconds, lag],
    [LIVE_INPUTS.syncDuration, syncDurationSeconds],
    [LIVE_INPUTS.quietSeconds, quietSeconds]
  ] as const) {
    if (v !== undefined && (v <= 0 || v > maxSeconds)) throw invalid(name, raw(name), `a duration above 0 and at most 20 h (the stream keeps records for 24 h)`)
  }
  const cutoverFile = raw(LIVE_INPUTS.cutoverFile).trim() || undefined
  return {
    enabled: true,
    allowEnableStream: bool(LIVE_INPUTS.allowEnableStream, raw(LIVE_INPUTS.allowEnableStream)),
    syncLagSeconds: lag,
    ...(syncDurationSeconds !== undefined ? { syncDurationSeconds } : {}),
    ...(quietSeconds !== undefined ? { quietSeconds } : {}),
    ...(cutoverFile ? { cutoverFile } : {})
  }
}
