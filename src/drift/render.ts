import { stringify } from 'yaml'
import { PATH_LABEL, type RecommendedPath } from './adopt.js'
import type { ProposedMigration, Verdict } from './classify.js'
import type { DriftReport } from './drift.js'

const VERDICT: Record<Verdict, string> = {
  conforms: '✅ conforms',
  drifted: '⚠️ drifted',
  'other-stage': '↔️ other stage',
  unknown: '❔ unknown'
}

const PATH_ICON: Record<RecommendedPath, string> = { conforming: '✅', adopt: '📥', migrate: '🚚', 'live-migrate': '🔄', 'temp-table': '🔁' }

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, '<br>')
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`
const code = (s: string | undefined) => (s ? `\`${s}\`` : '–')

/**
 * `source -> target` lines for the `migrations` input, one block per strategy: the renames
 * (modes migrate, then delete) and the temp-table pairs, whose source and target are the same
 * name (modes to-temp, delete-source, the IaC deploy, from-temp, drop-temp). Lines starting
 * with # are comments the input ignores. `strategy` picks one block.
 */
export function renderMigrationsText(report: DriftReport, strategy?: ProposedMigration['strategy']): string {
  const blocks: string[][] = []
  const direct = report.migrations.filter((m) => m.strategy === 'direct')
  const temp = report.migrations.filter((m) => m.strategy === 'temp-table')
  if (direct.length && strategy !== 'temp-table') {
    blocks.push([`# Stage ${report.stage}: renames (mode migrate, then delete)`, ...direct.map((m) => `${m.source} -> ${m.target}`)])
  }
  if (temp.length && strategy !== 'direct') {
    const lines = [`# Stage ${report.stage}: temp-table strategy (modes to-temp, delete-source, then the IaC deploy, from-temp, drop-temp)`]
    for (const m of temp) lines.push(`# ${m.reason}; temp table ${m.tempTable}`, `${m.source} -> ${m.target}`)
    blocks.push(lines)
  }
  if (!blocks.length) blocks.push([`# Stage ${report.stage}: no migrations needed`])
  return blocks.map((b) => b.join('\n')).join('\n\n') + '\n'
}

/** One strategy's pairs (default the renames) as a migrations file (`migrations: [{source, target}]`). */
export function renderMigrationsYaml(report: DriftReport, strategy: ProposedMigration['strategy'] = 'direct'): string {
  const migrations = report.migrations.filter((m) => m.strategy === strategy).map(({ source, target }) => ({ source, target }))
  return stringify({ migrations })
}

/** The job summary: one row per table with its verdict, then what to do about it. */
export function renderDriftMarkdown(report: DriftReport): string {
  const c = report.counts
  const lines: string[] = [
    `### DynamoDB naming drift — stage \`${report.stage}\``,
    '',
    `Convention \`${report.namingConvention}\`${report.service ? `, service \`${report.service}\`` : ''}${report.template ? `, template \`${report.template.path}\` (${report.template.kind}, ${plural(report.template.tables.length, 'table')})` : ', no IaC template'}. ` +
      `${plural(report.tables.length, 'table')}: ${c.conforms} conform, ${c.drifted} drifted, ${c['other-stage']} of other stages, ${c.unknown} unknown.`,
    '',
    '| table | verdict | stage | should be | in IaC | schema vs template | notes |',
    '|---|---|---|---|---|---|---|'
  ]
  const schemaCell = (table: string) => {
    const comparison = report.schemaComparisons.find((s) => s.table === table)
    if (!comparison) return '–'
    const n = comparison.blocking.length + comparison.warnings.length
    return n ? `❌ ${plural(n, 'difference')}` : '✅ matches'
  }
  for (const t of report.tables) {
    const iac = t.inIac === undefined ? '–' : t.inIac ? `yes (${t.iacLogicalId})` : 'no'
    lines.push(`| \`${t.table}\` | ${VERDICT[t.verdict]} | ${t.stage ?? '–'} | ${code(t.expectedName)} | ${iac} | ${schemaCell(t.table)} | ${cell(t.notes.join('; '))} |`)
  }
  for (const m of report.missingLive) {
    lines.push(`| \`${m.table}\` | 🕳️ in IaC, not live | ${report.stage} | – | yes (${m.iacLogicalId}) | – | ${m.migrateFrom ? `created by the IaC deploy, then migrate from \`${m.migrateFrom}\`` : 'created by the next IaC deploy'} |`)
  }
  if (report.recommendations.length) {
    lines.push('', '#### Recommended path', '', '| table | path | why |', '|---|---|---|')
    for (const r of report.recommendations) {
      const label = `${PATH_ICON[r.path]} ${PATH_LABEL[r.path]}${r.target !== r.table ? ` → \`${r.target}\`` : ''}`
      const alternative = r.alternative ? `<br>Instead: ${PATH_LABEL[r.alternative.path]}: ${r.alternative.why}` : ''
      lines.push(`| \`${r.table}\` | ${label} | ${cell(r.why)}${cell(alternative)} |`)
    }
  }
  const differing = report.schemaComparisons.filter((s) => s.blocking.length || s.warnings.length)
  if (differing.length) {
    lines.push('', '#### Schema differences (the template must match the live table exactly)', '')
    for (const s of differing) {
      lines.push(`- \`${s.table}\` vs template \`${s.iacLogicalId}\` (\`${s.iacTableName}\`):`)
      for (const b of s.blocking) lines.push(`  - blocking: ${cell(b)}`)
      for (const w of s.warnings) lines.push(`  - ${cell(w)}`)
    }
  }
  if (report.notInIac.length) lines.push('', `#### Live but not in IaC`, '', ...report.notInIac.map((t) => `- \`${t}\``))
  lines.push('', '#### Proposed migrations', '')
  if (!report.migrations.length) lines.push('None: every name of this stage is in line.')
  if (report.migrations.some((m) => m.strategy === 'direct')) lines.push('```text', renderMigrationsText(report, 'direct').trimEnd(), '```')
  if (report.migrations.some((m) => m.strategy === 'temp-table')) lines.push('```text', renderMigrationsText(report, 'temp-table').trimEnd(), '```')
  const notes = report.migrations.flatMap((m) => m.notes.map((n) => `\`${m.source} -> ${m.target}\`: ${n}`))
  if (report.conflicts.length || notes.length || report.warnings.length) {
    lines.push('', '#### Warnings', '')
    for (const w of [...report.conflicts, ...notes, ...report.warnings]) lines.push(`- ${cell(w)}`)
  }
  return lines.join('\n') + '\n'
}
