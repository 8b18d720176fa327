import { writeFile } from 'node:fs/promises'
import type { ActionSettings } from '../config/inputs.js'
import { runDrift, type DriftReport } from '../drift/drift.js'
import { renderDriftMarkdown, renderMigrationsText, renderMigrationsYaml } from '../drift/render.js'
import type { EngineContext } from '../engine/context.js'
import { MigrationError } from '../errors.js'

/** `drift`, as the action runs it: a read-only report, and the proposed migrations (optionally as a file). */
export async function driftReport(ctx: EngineContext, settings: ActionSettings): Promise<DriftReport> {
  const drift = settings.drift
  if (!drift) throw new MigrationError('INVALID_INPUT', 'drift needs --naming-convention and --stage.')
  const report = await runDrift(ctx, {
    namingConvention: drift.namingConvention,
    stage: drift.stage,
    service: drift.service,
    iacTemplate: drift.iacTemplate,
    managedTables: drift.managedTables,
    template: { region: settings.aws.region, stackName: drift.stackName, parameters: drift.templateParameters }
  })
  if (drift.migrationsFile) {
    await writeFile(drift.migrationsFile, renderMigrationsYaml(report))
    ctx.reporter.info(`proposed migrations written to ${drift.migrationsFile}`)
  }
  return report
}

/** The report for a reader: the job summary's markdown, then the migrations input it proposes. */
export function driftText(report: DriftReport): string {
  return `${renderDriftMarkdown(report)}\n\n${renderMigrationsText(report)}`
}

export { renderMigrationsText }
