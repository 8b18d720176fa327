import type { ProposedMigration, TableVerdict } from './classify.js'
import type { DriftReport, SchemaComparison } from './drift.js'
import type { TemplateChange } from './template-changes.js'

/**
 * The recommended path for each live table of the stage drift checked. A table that already has
 * the template's name but lives outside the stack is adopted by import (CloudFormation IMPORT
 * change set, `terraform import`): no copy and no moment without the table, where the
 * temp-table round trip copies twice and leaves a window without it. A table with another name
 * must be copied: an import cannot rename.
 */

export type RecommendedPath = 'conforming' | 'adopt' | 'migrate' | 'live-migrate' | 'temp-table'

export interface Recommendation {
  table: string
  path: RecommendedPath
  /** Why this path, in a sentence or three, with its cost. */
  why: string
  /** Where the data ends up: the copy's target; the table itself otherwise. */
  target: string
  /** The template resource, when there is one. */
  iacLogicalId?: string
  /** The other path worth weighing, and what it costs. */
  alternative?: { path: RecommendedPath; why: string }
  /** adopt and temp-table on a same-name table: the template edits an import needs first, so it does not fail half-way. */
  templateChanges?: TemplateChange[]
  notes: string[]
}

export interface RecommendOptions {
  /** Stages whose applications keep writing during a copy: their copies are live migrations. Default DEFAULT_LIVE_STAGES. */
  liveStages?: string[]
}

export const DEFAULT_LIVE_STAGES: readonly string[] = ['prod', 'production']

export const PATH_LABEL: Record<RecommendedPath, string> = {
  conforming: 'conforming',
  adopt: 'adopt by import',
  migrate: 'migrate by copy',
  'live-migrate': 'live migrate',
  'temp-table': 'temp-table round trip'
}

type ReportBody = Omit<DriftReport, 'recommendations'>

export function recommendPaths(report: ReportBody, options: RecommendOptions = {}): Recommendation[] {
  const live = new Set(report.tables.map((t) => t.table))
  const liveStages = (options.liveStages ?? DEFAULT_LIVE_STAGES).map((s) => s.toLowerCase())
  const out: Recommendation[] = []
  for (const t of report.tables) {
    if (t.verdict === 'drifted') {
      out.push(copy(report, t, liveStages.includes(report.stage.toLowerCase())))
      continue
    }
    if (t.verdict !== 'conforms') continue
    const pair = report.migrations.find((m) => m.strategy === 'temp-table' && m.source === t.table)
    out.push(pair ? adoptOrRoundTrip(report, t, pair, live) : conforming(report, t))
  }
  return out
}

/** The template edits an import of `comparison.table` needs: the schema's, then DeletionPolicy. */
export function requiredTemplateChanges(report: ReportBody, comparison: SchemaComparison | undefined, logicalId: string): TemplateChange[] {
  const changes = [...(comparison?.templateChanges ?? [])]
  const policy = report.template?.tables.find((x) => x.logicalId === logicalId)?.deletionPolicy
  if (!policy) changes.push({ path: 'DeletionPolicy', difference: 'not set: CloudFormation imports only resources that have a DeletionPolicy', value: 'Retain' })
  return changes
}

function adoptOrRoundTrip(report: ReportBody, t: TableVerdict, pair: ProposedMigration, live: ReadonlySet<string>): Recommendation {
  const logicalId = pair.iacLogicalId ?? t.iacLogicalId ?? '?'
  const comparison = report.schemaComparisons.find((s) => s.table === t.table && s.relation === 'same-name')
  const changes = requiredTemplateChanges(report, comparison, logicalId)
  const schemaChanges = changes.filter((c) => c.path.startsWith('Properties.'))
  const keyChange = changes.some((c) => c.path === 'Properties.KeySchema')
  const lsi = changes.find((c) => c.path === 'Properties.LocalSecondaryIndexes')
  const temp = pair.tempTable ?? `${t.table}-temp`
  const serverless = report.template?.kind === 'serverless'
  const notes: string[] = []
  if (report.template?.tables.find((x) => x.logicalId === logicalId)?.deletionPolicy === 'Delete') {
    notes.push(`${logicalId} has DeletionPolicy: Delete: the import accepts it, but Retain keeps the table if the stack is ever deleted`)
  }
  const gsi = changes.find((c) => c.path === 'Properties.GlobalSecondaryIndexes')
  const names = (list: unknown) => new Set(((list as { IndexName?: string }[] | undefined) ?? []).map((i) => i.IndexName))
  const liveGsis = names(gsi?.value)
  if ([...names(gsi?.template)].filter((n) => !liveGsis.has(n)).length > 1) {
    notes.push('CloudFormation creates or deletes one global secondary index per stack update: restoring several takes several deploys')
  }

  const roundTripCost = `copy ${t.table} to ${temp}, delete it, deploy, copy back: two full copies, and ${t.table} is missing from the delete until the copy back ends (downtime)`
  const changeList = schemaChanges.length ? `first change ${schemaChanges.map((c) => c.path.replace('Properties.', '')).join(', ')} in the template to the live values (required-template-changes.md)` : 'the template already describes the live table'
  const deletion = changes.some((c) => c.path === 'DeletionPolicy') ? ' and add DeletionPolicy: Retain' : ''
  const base = `${t.table} has the template's name (${logicalId}) but is outside the stack, so a deploy fails on the taken name.`

  if (live.has(temp)) {
    return {
      table: t.table,
      path: 'temp-table',
      why: `${base} ${temp} exists: a temp-table round trip is under way; finish it (modes from-temp, then drop-temp) before anything else.`,
      target: t.table,
      iacLogicalId: logicalId,
      alternative: { path: 'adopt', why: `once ${temp} is dealt with and ${t.table} holds all the data, importing adopts it without moving data` },
      templateChanges: changes,
      notes
    }
  }
  if (lsi && lsi.template !== undefined && !keyChange) {
    return {
      table: t.table,
      path: 'temp-table',
      why:
        `${base} The template's local secondary indexes (${lsi.difference}) can only be created with a table: an import would have to drop them from the template. ` +
        `The temp-table round trip re-creates ${t.table} from the template, with them: ${roundTripCost}.`,
      target: t.table,
      iacLogicalId: logicalId,
      alternative: { path: 'adopt', why: `import without downtime if the application can do without those indexes: ${changeList}${deletion}` },
      templateChanges: changes,
      notes
    }
  }
  // AttributeDefinitions follow the keys and indexes: not worth naming on their own.
  const inPlace = schemaChanges.filter((c) => c.restore === 'in-place' && c.template !== undefined && c.path !== 'Properties.AttributeDefinitions').map((c) => c.path.replace('Properties.', ''))
  const why = [
    `${base} Import it into the stack instead (CloudFormation IMPORT change set, or terraform import): the stack adopts the table in place, with no copy and no moment without it.`,
    `The import needs the template to describe the live table exactly: ${changeList}${deletion}.`,
    serverless
      ? `Serverless Framework: the import runs on the CloudFormation stack it generates${report.template?.stackName ? ` (${report.template.stackName})` : ''}, with the deployed template plus this resource (commands.sh); then the same edits in serverless.yml keep the next deploy from touching the table.`
      : '',
    keyChange
      ? `The template's primary key differs from the live table's: after the import the template carries the live key, which the application (and the tables this template creates in other stages) must use. Keeping the template's key needs a new table whose items carry that key: the temp-table copy back would fail on items without it.`
      : '',
    inPlace.length ? `After the import, a normal deploy can bring ${inPlace.join(', ')} back to the template's values (updates in place).` : ''
  ]
  return {
    table: t.table,
    path: 'adopt',
    why: why.filter(Boolean).join(' '),
    target: t.table,
    iacLogicalId: logicalId,
    alternative: { path: 'temp-table', why: `${roundTripCost}; it keeps the template as written. The fallback if the import cannot be done (stack policy, an import refused).` },
    templateChanges: changes,
    notes
  }
}

function copy(report: ReportBody, t: TableVerdict, liveStage: boolean): Recommendation {
  const m = report.migrations.find((x) => x.strategy === 'direct' && x.source === t.table)
  const path: RecommendedPath = liveStage ? 'live-migrate' : 'migrate'
  if (!m) {
    return {
      table: t.table,
      path,
      why: `${t.table} does not follow ${report.namingConvention}, and another table maps to the same name: ${t.notes.join('; ')}. Choose which one to migrate; merge or remove the others by hand.`,
      target: t.expectedName ?? t.table,
      ...(t.iacLogicalId ? { iacLogicalId: t.iacLogicalId } : {}),
      notes: []
    }
  }
  const comparison = report.schemaComparisons.find((s) => s.table === t.table && s.relation === 'migration-source')
  const targetLive = report.tables.some((x) => x.table === m.target)
  const adoptFirst = report.migrations.some((x) => x.strategy === 'temp-table' && x.source === m.target)
  const creates = targetLive ? `copy into the existing ${m.target}` : m.iacLogicalId ? `the IaC deploy creates ${m.target}, then copy` : `copy into ${m.target} (created from ${t.table}'s schema)`
  const why = [
    `${t.table} does not follow ${report.namingConvention}: ${m.reason}. An import cannot rename a table, so the data moves: ${creates}, verify (count and content digest), then delete ${t.table} (modes migrate, then delete).`,
    adoptFirst ? `${m.target} exists outside IaC: adopt it first (its own row), then copy into it with allow-non-empty-target.` : '',
    comparison?.blocking.length ? `The copy is blocked until the template matches: ${comparison.blocking.join('; ')}.` : '',
    comparison?.warnings.length ? `The new table follows the template, not ${t.table}: ${comparison.warnings.join('; ')}.` : '',
    liveStage
      ? `Stage ${report.stage} is production: the application keeps writing during the copy, so migrate with live: true, which catches up through the source's stream before the cut-over.`
      : `Stage ${report.stage} is not production: pause the writers during the copy.`
  ]
  return {
    table: t.table,
    path,
    why: why.filter(Boolean).join(' '),
    target: m.target,
    ...(m.iacLogicalId ? { iacLogicalId: m.iacLogicalId } : {}),
    alternative: liveStage
      ? { path: 'migrate', why: 'a plain copy, if the writers can be stopped for its duration' }
      : { path: 'live-migrate', why: 'if the application must keep writing during the copy (migrate with live: true)' },
    notes: [...m.notes]
  }
}

function conforming(report: ReportBody, t: TableVerdict): Recommendation {
  const comparison = report.schemaComparisons.find((s) => s.table === t.table && s.relation === 'same-name')
  const n = (comparison?.blocking.length ?? 0) + (comparison?.warnings.length ?? 0)
  let why: string
  if (t.inIac === undefined) why = `The name follows ${report.namingConvention} (no IaC template to compare with).`
  else if (!t.inIac) why = `The name follows ${report.namingConvention}, but the template does not define it: to manage it with IaC, add a resource for it and import it (the adopt path); nothing to copy.`
  else if (n) why = `Owned by the stack (managed-tables) as ${t.iacLogicalId}, but the template differs from the live table (${n} difference${n === 1 ? '' : 's'}): the next deploy changes it.`
  else why = `Owned by the stack (managed-tables) as ${t.iacLogicalId}, and the template matches the live table.`
  return { table: t.table, path: 'conforming', why, target: t.table, ...(t.iacLogicalId ? { iacLogicalId: t.iacLogicalId } : {}), notes: [] }
}
