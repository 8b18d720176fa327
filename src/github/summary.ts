import * as core from '@actions/core'
import type { MigrationResult, Mode } from '../engine/result.js'
import { renderMarkdown } from '../report/markdown.js'

/**
 * A mermaid pie of the items written per migration (GitHub renders mermaid in summaries and
 * comments); empty when nothing was written. Pie is used because every GitHub mermaid version
 * renders it.
 */
export function renderItemsChart(results: MigrationResult[]): string {
  const slices = results.filter((r) => (r.itemsWritten ?? 0) > 0)
  if (!slices.length) return ''
  const label = (r: MigrationResult) => `${r.source} → ${r.target}`.replace(/["\n]/g, '')
  return ['```mermaid', 'pie showData', '    title Items written per table', ...slices.map((r) => `    "${label(r)}" : ${r.itemsWritten}`), '```', ''].join('\n')
}

/** The job summary's markdown: the report, and for `migrate` the chart of items per table. */
export function renderJobSummary(mode: Mode, results: MigrationResult[]): string {
  const chart = mode === 'migrate' ? renderItemsChart(results) : ''
  return renderMarkdown(mode, results) + (chart ? `\n${chart}` : '')
}

/** Writes the job summary when the runner provides one (GITHUB_STEP_SUMMARY). */
export async function writeJobSummary(mode: Mode, results: MigrationResult[]): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return
  await core.summary.addRaw(renderJobSummary(mode, results), true).write()
}
