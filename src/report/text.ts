import type { ProgressEvent } from '../engine/context.js'
import type { MigrationResult } from '../engine/result.js'

/** `copy qa-order-tracking: 12,500 / 50,000 items (25%), 4,210 items/s, ETA 9 s` */
export function progressLine(e: ProgressEvent): string {
  const done = e.done.toLocaleString('en-US')
  const of = e.total !== undefined ? ` / ${e.total.toLocaleString('en-US')}` : ''
  const pct = e.total ? ` (${Math.min(100, Math.floor((e.done / e.total) * 100))}%)` : ''
  const eta = e.etaSeconds !== undefined && !e.final ? `, ETA ${formatDuration(e.etaSeconds * 1000)}` : ''
  return `${e.phase} ${e.table}: ${done}${of} items${pct}, ${Math.round(e.rate).toLocaleString('en-US')} items/s${eta}${e.final ? ' (done)' : ''}`
}

export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000)
  if (s < 60) return `${Math.max(0, ms < 1000 ? Math.round(ms) / 1000 : s)} s`
  const m = Math.floor(s / 60)
  if (m < 60) return `${m} min ${s % 60} s`
  return `${Math.floor(m / 60)} h ${m % 60} min`
}

/** One line per result, for logs and terminals. */
export function resultLine(r: MigrationResult): string {
  const counts = [
    r.itemsScanned !== undefined ? `${r.itemsScanned} scanned` : '',
    r.itemsWritten !== undefined ? `${r.itemsWritten} written` : '',
    r.itemsVerified !== undefined ? `${r.itemsVerified} verified` : ''
  ].filter(Boolean)
  const detail = r.error ? ` — ${r.error.code}: ${r.error.message}` : ''
  return `${r.source} -> ${r.target}: ${r.status}${counts.length ? ` (${counts.join(', ')})` : ''} in ${formatDuration(r.durationMs)}${detail}`
}
