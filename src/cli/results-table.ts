import type { MigrationResult, Status } from '../engine/result.js'
import { formatDuration, resultLine } from '../report/text.js'
import type { Style } from './style.js'

/** The final table on a terminal: one row per migration, its error, backup and warnings below it. */
export function resultsTable(results: MigrationResult[], colors: Style): string {
  const rows = results.map((r) => [r.source, r.target, r.status, items(r), formatDuration(r.durationMs)])
  const header = ['SOURCE', 'TARGET', 'STATUS', 'ITEMS', 'TIME']
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] as string).length)))
  const line = (cells: string[], paint: (cell: string, i: number) => string = (c) => c) =>
    cells
      .map((cell, i) => {
        const padded = i === 3 ? cell.padStart(widths[i] as number) : cell.padEnd(widths[i] as number)
        return paint(padded, i)
      })
      .join('  ')
      .trimEnd()
  const out = [colors.bold(line(header))]
  results.forEach((r, index) => {
    out.push(line(rows[index] as string[], (cell, i) => (i === 2 ? paintStatus(r.status, cell, colors) : cell)))
    for (const detail of details(r)) out.push(`  ${detail}`)
  })
  out.push(summary(results))
  return `${out.join('\n')}\n`
}

/** Without a terminal: the lines the action logs. */
export function resultLines(results: MigrationResult[]): string {
  return results.map((r) => `${resultLine(r)}\n`).join('')
}

function items(r: MigrationResult): string {
  const n = r.itemsWritten ?? r.itemsVerified ?? r.itemsScanned
  return n === undefined ? '-' : n.toLocaleString('en-US')
}

function details(r: MigrationResult): string[] {
  const out: string[] = []
  if (r.error) out.push(`${r.error.code}: ${r.error.message}`)
  if (r.plan && !r.error) {
    const action = r.plan.targetAction === 'create' ? `create ${r.target}` : r.plan.targetAction === 'use-existing' ? `copy into the existing ${r.target}` : 'nothing to do'
    out.push(`plan: ${action}${r.plan.estimatedSeconds !== undefined ? `, about ${formatDuration(r.plan.estimatedSeconds * 1000)}` : ''}`)
    for (const refusal of r.plan.deleteRefusals) out.push(`delete would refuse: ${refusal.message}`)
  }
  if (r.backup) out.push(`backup: ${r.backup.dir}`)
  for (const w of r.warnings) out.push(`warning: ${w}`)
  return out
}

function paintStatus(status: Status, cell: string, colors: Style): string {
  if (status === 'failed' || status === 'mismatch') return colors.red(cell)
  if (status === 'refused') return colors.yellow(cell)
  return colors.green(cell)
}

/** `2 migrations: 1 verified, 1 refused` */
function summary(results: MigrationResult[]): string {
  const counts = new Map<string, number>()
  for (const r of results) counts.set(r.status, (counts.get(r.status) ?? 0) + 1)
  const parts = [...counts].map(([status, n]) => `${n} ${status}`)
  return `${results.length} migration${results.length === 1 ? '' : 's'}: ${parts.join(', ')}`
}
