import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { ActionSettings } from '../config/inputs.js'
import type { EngineContext } from '../engine/context.js'
import { MigrationError } from '../errors.js'
import { writeAdoptionFiles } from './adopt-files.js'
import { runDrift, type DriftReport } from './drift.js'
import { renderMigrationsYaml } from './render.js'

/**
 * `mode: drift` from validated settings, shared by the action and the CLI: the read-only report,
 * plus the files asked for (the proposed migrations as YAML, the adoption files).
 */
export async function driftFromSettings(ctx: EngineContext, settings: ActionSettings): Promise<{ report: DriftReport; adoptFiles: string[] }> {
  const drift = settings.drift
  if (!drift) throw new MigrationError('INVALID_INPUT', 'drift needs naming-convention and stage.')
  const report = await runDrift(ctx, {
    namingConvention: drift.namingConvention,
    stage: drift.stage,
    service: drift.service,
    iacTemplate: drift.iacTemplate,
    managedTables: drift.managedTables,
    liveStages: settings.protectedEnvironments,
    template: { region: settings.aws.region, stackName: drift.stackName, parameters: drift.templateParameters }
  })
  if (drift.migrationsFile) {
    await writeFile(drift.migrationsFile, renderMigrationsYaml(report))
    ctx.reporter.info(`proposed migrations written to ${drift.migrationsFile}`)
  }
  const adoptFiles = drift.adoptOutputDir ? await writeAdoptionFiles(report, drift.adoptOutputDir, { region: settings.aws.region }) : []
  if (adoptFiles.length) ctx.reporter.info(`adoption files written to ${drift.adoptOutputDir}: ${adoptFiles.map((f) => path.basename(f)).join(', ')}`)
  return { report, adoptFiles }
}
