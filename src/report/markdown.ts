import type { MigrationResult, Mode } from '../engine/result.js'
import { formatDuration } from './text.js'

const ICON: Record<MigrationResult['status'], string> = {
  planned: '📝 planned',
  verified: '✅ verified',
  deleted: '🗑️ deleted',
  mismatch: '❌ mismatch',
  refused: '⛔ refused',
  failed: '❌ failed',
  'in-sync': '🔄 in sync (not yet equal)',
  copied: '📦 shard copied (verify pending)'
}

const num = (n: number | undefined) => (n === undefined ? '–' : n.toLocaleString('en-US'))
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, '<br>')

/** The job summary and PR comment body: one row per migration, then refusals and warnings. */
export function renderMarkdown(mode: Mode, results: MigrationResult[]): string {
  const lines: string[] = [`### DynamoDB migration — \`${mode}\``, '']
  if (mode === 'plan') {
    lines.push('| source | target | status | items (scan count) | estimate (DescribeTable) | target | est. duration |', '|---|---|---|---:|---:|---|---:|')
    for (const r of results) {
      const p = r.plan
      lines.push(
        `| \`${r.source}\` | \`${r.target}\` | ${ICON[r.status]} | ${num(p?.sourceItemCount)} | ${num(p?.sourceApproximateItemCount)} | ${p?.targetAction ?? '–'} | ${p?.estimatedSeconds !== undefined ? formatDuration(p.estimatedSeconds * 1000) : '–'} |`
      )
    }
  } else {
    lines.push('| source | target | status | scanned | written | verified | digest | duration | items/s | backup |', '|---|---|---|---:|---:|---:|---|---:|---:|---|')
    for (const r of results) {
      const digest = r.actual && r.expected ? (r.actual.digest === r.expected.digest ? `✅ \`${r.actual.digest.slice(0, 12)}\`` : `❌ \`${r.actual.digest.slice(0, 12)}\` ≠ \`${r.expected.digest.slice(0, 12)}\``) : '–'
      lines.push(
        `| \`${r.source}\` | \`${r.target}\` | ${ICON[r.status]} | ${num(r.itemsScanned)} | ${num(r.itemsWritten)} | ${num(r.itemsVerified)} | ${digest} | ${formatDuration(r.durationMs)} | ${num(r.itemsPerSecond)} | ${r.backup?.artifact ? `\`${r.backup.artifact}\`` : r.backup ? `\`${r.backup.dir}\`` : '–'} |`
      )
    }
  }
  const problems = results.filter((r) => r.error)
  if (problems.length) {
    lines.push('', '#### Refusals and failures', '')
    for (const r of problems) lines.push(`- \`${r.source} -> ${r.target}\` **${r.error?.code}**: ${cell(r.error?.message ?? '')}`)
  }
  const diffs = results.filter((r) => r.diff && (r.diff.missing || r.diff.extra || r.diff.changed))
  for (const r of diffs) {
    lines.push('', `#### Differences in \`${r.target}\``, '', `${r.diff?.missing} missing, ${r.diff?.extra} extra, ${r.diff?.changed} changed. First keys:`, '')
    for (const e of r.diff?.examples ?? []) lines.push(`- ${e.kind}: \`${e.key}\``)
  }
  for (const r of results.filter((x) => x.live)) lines.push('', ...liveSection(r))
  const planDetails = results.filter((r) => r.plan)
  for (const r of planDetails) {
    const p = r.plan!
    const notes: string[] = []
    if (p.schemaDiff?.blocking.length) notes.push(...p.schemaDiff.blocking.map((b) => `blocking: ${b}`))
    if (p.schemaDiff?.warnings.length) notes.push(...p.schemaDiff.warnings.map((w) => `differs: ${w}`))
    for (const d of p.deleteRefusals) notes.push(`delete would refuse: ${d.message}`)
    if (notes.length) {
      lines.push('', `#### \`${r.source} -> ${r.target}\``, '')
      for (const n of notes) lines.push(`- ${cell(n)}`)
    }
  }
  const warnings = results.flatMap((r) => r.warnings)
  if (warnings.length) {
    lines.push('', '#### Warnings', '')
    for (const w of [...new Set(warnings)]) lines.push(`- ${cell(w)}`)
  }
  return lines.join('\n') + '\n'
}

/** The live phase of a live migration: records replayed from the stream, lag, time in sync, final check. */
function liveSection(r: MigrationResult): string[] {
  const l = r.live!
  const check = !l.check
    ? 'not run'
    : l.check.passed
      ? l.check.kind === 'source-equals-replay'
        ? '✅ the source equals everything copied and replayed into the target (the target has had other writes since, e.g. the application after cut-over)'
        : '✅ source and target equal (count + digest)'
      : `❌ not equal${l.check.differingKeys !== undefined ? `: ${num(l.check.differingKeys)} keys differ` : ''}${l.check.writesRunning ? ' (writes to the source still running)' : ''} — delete stays refused until an equal check passes`
  return [
    `#### Live phase \`${r.source} -> ${r.target}\``,
    '',
    '| records applied | peak lag | final lag | time in sync | stopped because | final check |',
    '|---:|---:|---:|---:|---|---|',
    `| ${num(l.recordsApplied)} | ${formatDuration(l.peakLagSeconds * 1000)} | ${formatDuration(l.finalLagSeconds * 1000)} | ${formatDuration(l.inSyncSeconds * 1000)} | ${l.stoppedBecause} | ${cell(check)} |`
  ]
}
