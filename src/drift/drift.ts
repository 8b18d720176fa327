import { diffSchemas } from '../dynamo/schema-diff.js'
import { recommendPaths, type Recommendation, type RecommendOptions } from './adopt.js'
import type { EngineContext } from '../engine/context.js'
import { MigrationError } from '../errors.js'
import { classifyTables, type MissingTable, type ProposedMigration, type TableVerdict, type Verdict } from './classify.js'
import { listTableNames, readLiveSchema } from './live.js'
import { DEFAULT_STAGES, parseConvention } from './naming.js'
import { loadIacTemplate, type IacTemplate, type TemplateOptions } from './template.js'
import { propertiesFromSchema, templateChanges, type TemplateChange } from './template-changes.js'

/**
 * `mode: drift`: read-only. Lists every table, classifies each name against the naming
 * convention for one stage, compares with the IaC template when one is given (names and
 * schemas), and proposes the migrations that would bring the names in line.
 */

export interface DriftOptions {
  /** `${stage}-${name}`, `${stage}-${service}-${name}`, ... (input `naming-convention`). */
  namingConvention: string
  /** The stage this run checks (input `stage`). */
  stage: string
  /** For `${service}` in the convention (input `service`); default: the serverless.yml's `service`. */
  service?: string
  /** Path of a serverless.yml or CloudFormation template, YAML or JSON (input `iac-template`). */
  iacTemplate?: string
  /**
   * Live tables the IaC stack already owns (input `managed-tables`). A table the template
   * defines that exists live and is not listed here is "outside IaC": deploying would fail on
   * the taken name, so it gets the temp-table strategy. Live data alone cannot tell. Default none.
   */
  managedTables?: string[]
  /** Stage names recognised in other tables' names; default DEFAULT_STAGES. This run's stage is always known. */
  stages?: string[]
  /** Variable and parameter resolution of the template: region, stack name, parameters, env. */
  template?: Omit<TemplateOptions, 'stage' | 'service'>
  /** Which listed tables to consider; default all (tests use it on a shared server). */
  tableFilter?: (table: string) => boolean
  /** ListTables page size; default the service's (100). */
  pageSize?: number
  /** Stages whose copies are recommended as live migrations; default prod, production (adopt.ts). */
  liveStages?: RecommendOptions['liveStages']
}

/** Template table and live table compared: `blocking` breaks a copy into the template's table, `warnings` are the other differences. */
export interface SchemaComparison {
  /** The live table compared. */
  table: string
  iacLogicalId: string
  iacTableName: string
  /** `same-name`: the live table has the template's name; `migration-source`: it is the source of a proposed migration into it. */
  relation: 'same-name' | 'migration-source'
  blocking: string[]
  warnings: string[]
  /** `same-name` only: the template edits that make it describe the live table (what an import needs). */
  templateChanges?: TemplateChange[]
  /** `same-name` only: the live table written as the resource's Properties. */
  liveProperties?: Record<string, unknown>
}

export interface DriftReport {
  stage: string
  service?: string
  namingConvention: string
  template?: Pick<IacTemplate, 'path' | 'kind' | 'service' | 'parameters' | 'notes' | 'stackName' | 'region'> & { tables: { logicalId: string; tableName?: string; deletionPolicy?: string }[] }
  /** Every live table considered, sorted by name. */
  tables: TableVerdict[]
  counts: Record<Verdict, number>
  /** In the template, not live. */
  missingLive: MissingTable[]
  /** Live tables of this stage the template does not define (only with a template). */
  notInIac: string[]
  /** Drifted names and the names they should have. */
  nameDrift: { table: string; expected: string }[]
  schemaComparisons: SchemaComparison[]
  /** Direct migrations first, then the temp-table ones. */
  migrations: ProposedMigration[]
  conflicts: string[]
  warnings: string[]
  /** The recommended path for each live table of this stage: conforming, adopt, migrate, live-migrate, temp-table. */
  recommendations: Recommendation[]
}

export async function runDrift(ctx: EngineContext, options: DriftOptions): Promise<DriftReport> {
  const convention = parseConvention(options.namingConvention)
  const stage = options.stage.trim()
  if (!stage) throw new MigrationError('INVALID_INPUT', 'Input "stage" is required for mode drift.')
  const template = options.iacTemplate ? loadIacTemplate(options.iacTemplate, { ...options.template, stage, service: options.service }) : undefined
  const service = options.service || template?.service
  if (convention.usesService && !service) throw new MigrationError('INVALID_INPUT', `Input "naming-convention" (${convention.text}) uses \${service}: set the input "service".`)

  const live = (await listTableNames(ctx, options.pageSize)).filter((t) => !options.tableFilter || options.tableFilter(t))
  const classification = classifyTables({
    convention,
    stage,
    service,
    stages: [...(options.stages ?? DEFAULT_STAGES)],
    live,
    iac: template?.tables,
    managed: new Set(options.managedTables ?? [])
  })
  const warnings = [...(template?.notes ?? []), ...classification.notes]

  const schemaComparisons: SchemaComparison[] = []
  const liveSet = new Set(live)
  const compare = async (table: string, iacName: string, relation: SchemaComparison['relation']) => {
    const iac = template?.tables.find((t) => t.tableName === iacName)
    if (!iac) return
    const schema = await readLiveSchema(ctx, table, warnings)
    if (!schema) {
      warnings.push(`${table} disappeared while drift ran; its schema was not compared`)
      return
    }
    const diff = diffSchemas(schema, iac.schema)
    const adoption = relation === 'same-name' ? { templateChanges: templateChanges(schema, iac.schema), liveProperties: propertiesFromSchema(schema) } : {}
    schemaComparisons.push({ table, iacLogicalId: iac.logicalId, iacTableName: iacName, relation, blocking: diff.blocking.map(relabel), warnings: diff.warnings.map(relabel), ...adoption })
  }
  for (const t of template?.tables ?? []) if (t.tableName && liveSet.has(t.tableName)) await compare(t.tableName, t.tableName, 'same-name')
  for (const m of classification.migrations) if (m.strategy === 'direct' && m.iacLogicalId) await compare(m.source, m.target, 'migration-source')

  const counts: Record<Verdict, number> = { conforms: 0, drifted: 0, 'other-stage': 0, unknown: 0 }
  for (const t of classification.tables) counts[t.verdict]++
  const body: Omit<DriftReport, 'recommendations'> = {
    stage,
    ...(service ? { service } : {}),
    namingConvention: convention.text,
    ...(template
      ? {
          template: {
            path: template.path,
            kind: template.kind,
            service: template.service,
            parameters: template.parameters,
            notes: template.notes,
            ...(template.stackName ? { stackName: template.stackName } : {}),
            region: template.region,
            tables: template.tables.map((t) => ({ logicalId: t.logicalId, tableName: t.tableName, ...(t.deletionPolicy ? { deletionPolicy: t.deletionPolicy } : {}) }))
          }
        }
      : {}),
    tables: classification.tables,
    counts,
    missingLive: classification.missingLive,
    notInIac: template ? classification.tables.filter((t) => (t.verdict === 'conforms' || t.verdict === 'drifted') && !t.inIac).map((t) => t.table) : [],
    nameDrift: classification.tables.filter((t) => t.verdict === 'drifted' && t.expectedName).map((t) => ({ table: t.table, expected: t.expectedName as string })),
    schemaComparisons,
    migrations: classification.migrations,
    conflicts: classification.conflicts,
    warnings
  }
  const report: DriftReport = { ...body, recommendations: recommendPaths(body, { liveStages: options.liveStages }) }
  ctx.reporter.info(
    `drift (stage ${stage}, ${convention.text}): ${live.length} tables: ${counts.conforms} conform, ${counts.drifted} drifted, ${counts['other-stage']} of other stages, ${counts.unknown} unknown; ${report.migrations.length} migrations proposed`
  )
  for (const c of report.conflicts) ctx.reporter.warn(c)
  return report
}

/** diffSchemas speaks of source and target; here they are the live table and the template. */
function relabel(message: string): string {
  return message
    .replace('missing on the target', 'not in the template')
    .replace('on the target only', 'in the template only')
    .replace(/\bsource\b/g, 'live')
    .replace(/\btarget\b/g, 'template')
}
