import type { ActionSettings } from '../config/inputs.js'
import type { DriftReport } from '../drift/drift.js'
import { driftFromSettings } from '../drift/from-settings.js'
import { renderDriftMarkdown, renderMigrationsText } from '../drift/render.js'
import type { EngineContext } from '../engine/context.js'

/** `drift`, as the action runs it: a read-only report, and the files asked for. */
export async function driftReport(ctx: EngineContext, settings: ActionSettings): Promise<DriftReport> {
  return (await driftFromSettings(ctx, settings)).report
}

/** The report for a reader: the job summary's markdown, then the migrations input it proposes. */
export function driftText(report: DriftReport): string {
  return `${renderDriftMarkdown(report)}\n\n${renderMigrationsText(report)}`
}

export { renderMigrationsText }
