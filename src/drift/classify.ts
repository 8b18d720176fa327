import { anyStageReadings, logicalKey, matchStage, type NamingConvention, type StageMatch } from './naming.js'
import type { IacTable } from './template.js'

/**
 * Pure classification of live table names against the convention and, when given, the
 * template's tables: a verdict per table, the tables missing live, and the migrations that
 * would bring the names in line. No AWS calls: drift.ts feeds it and adds the schema checks.
 */

export type Verdict = 'conforms' | 'drifted' | 'other-stage' | 'unknown'

export interface TableVerdict {
  table: string
  verdict: Verdict
  /** The stage the name belongs to: this run's stage for conforms/drifted. */
  stage?: string
  logicalName?: string
  /** For drifted: the name it should have (the template's, else the convention's); for other-stage, the convention's name in that stage when it differs. */
  expectedName?: string
  /** Whether the template defines this table (or, for drifted, its expected name); undefined without a template. */
  inIac?: boolean
  /** The template resource it corresponds to. */
  iacLogicalId?: string
  notes: string[]
}

export interface ProposedMigration {
  source: string
  target: string
  /**
   * `direct`: copy source into target (created by IaC or by the action), then delete source.
   * `temp-table`: the target name is taken by a table outside IaC, so IaC cannot create it:
   * copy it to `tempTable`, delete it, deploy, copy back (the article's production strategy).
   */
  strategy: 'direct' | 'temp-table'
  tempTable?: string
  iacLogicalId?: string
  reason: string
  notes: string[]
}

export interface MissingTable {
  table: string
  iacLogicalId: string
  /** The drifted live table that should be migrated into it, if any. */
  migrateFrom?: string
}

export interface ClassifyInput {
  convention: NamingConvention
  stage: string
  service?: string
  /** Other stages to recognise in names. */
  stages: string[]
  live: string[]
  /** The template's tables; undefined without a template. */
  iac?: IacTable[]
  /** Live tables known to be owned by the IaC stack (not "outside IaC"). */
  managed: ReadonlySet<string>
}

export interface Classification {
  tables: TableVerdict[]
  missingLive: MissingTable[]
  migrations: ProposedMigration[]
  conflicts: string[]
  notes: string[]
}

export function classifyTables(input: ClassifyInput): Classification {
  const { convention, stage, service } = input
  const liveSet = new Set(input.live)
  const notes: string[] = []
  const iacByName = new Map<string, IacTable>()
  const iacByKey = new Map<string, IacTable>()
  for (const table of input.iac ?? []) {
    if (!table.tableName) continue
    iacByName.set(table.tableName, table)
    const match = matchStage(convention, table.tableName, stage, service)
    if (!match || match.kind !== 'conforms') notes.push(`The template names ${table.logicalId} "${table.tableName}", which does not follow ${convention.text} for stage ${stage}`)
    const key = match?.key ?? logicalKey(table.tableName)
    if (!iacByKey.has(key)) iacByKey.set(key, table)
  }
  const otherStages = [...new Set(input.stages.map((s) => s.toLowerCase()))].filter((s) => s !== stage.toLowerCase())

  const tables = [...input.live].sort().map((table): TableVerdict => {
    const own = iacByName.get(table)
    if (own) return { table, verdict: 'conforms', stage, ...logical(matchStage(convention, table, stage, service)), inIac: true, iacLogicalId: own.logicalId, notes: [] }
    const match = matchStage(convention, table, stage, service)
    if (match) {
      const iac = input.iac ? iacByKey.get(match.key) : undefined
      const expected = iac?.tableName ?? match.expected
      const verdict = expected === table ? 'conforms' : 'drifted'
      const inIac = input.iac ? !!iac : undefined
      const notes: string[] = []
      const base = [...iacByName.keys()].find((n) => table === `${n}-temp` || table === `${n}_temp`)
      if (base) notes.push(`looks like the temp table of ${base} (temp-table strategy)`)
      return { table, verdict, stage, logicalName: match.logicalName, ...(verdict === 'drifted' ? { expectedName: expected } : {}), ...(inIac !== undefined ? { inIac } : {}), ...(iac ? { iacLogicalId: iac.logicalId } : {}), notes }
    }
    for (const other of otherStages) {
      const m = matchStage(convention, table, other, service)
      if (m) return { table, verdict: 'other-stage', stage: other, logicalName: m.logicalName, ...(m.kind === 'drifted' ? { expectedName: m.expected } : {}), notes: [] }
    }
    const reading = anyStageReadings(convention, table, service).find((r) => r.stage !== stage.toLowerCase() && iacByKey.has(r.key))
    if (reading) return { table, verdict: 'other-stage', stage: reading.stage, logicalName: iacByKey.get(reading.key)?.logicalId, notes: ['stage recognised from a logical name the template defines'] }
    return { table, verdict: 'unknown', notes: [] }
  })

  const migrations: ProposedMigration[] = []
  const conflicts: string[] = []
  const tempPairs = new Map<string, ProposedMigration>()
  const outsideIac = (name: string) => input.iac !== undefined && iacByName.has(name) && liveSet.has(name) && !input.managed.has(name)
  const tempPair = (name: string): ProposedMigration => {
    const existing = tempPairs.get(name)
    if (existing) return existing
    const tempTable = `${name}-temp`
    const pair: ProposedMigration = {
      source: name,
      target: name,
      strategy: 'temp-table',
      tempTable,
      iacLogicalId: iacByName.get(name)?.logicalId,
      reason: `${name} exists outside IaC, so deploying the template would fail on the taken name`,
      notes: liveSet.has(tempTable) ? [`${tempTable} already exists: a run in progress? check it before starting`] : []
    }
    tempPairs.set(name, pair)
    return pair
  }

  const byTarget = new Map<string, TableVerdict[]>()
  for (const v of tables) if (v.verdict === 'drifted' && v.expectedName) byTarget.set(v.expectedName, [...(byTarget.get(v.expectedName) ?? []), v])
  for (const [target, sources] of byTarget) {
    if (sources.length > 1) {
      const names = sources.map((s) => s.table)
      conflicts.push(`${names.join(', ')} all map to ${target}: choose which one to migrate (the others need merging or removing by hand)`)
      for (const s of sources) {
        const others = names.filter((n) => n !== s.table)
        s.notes.push(`conflict: ${others.join(', ')} also map${others.length === 1 ? 's' : ''} to ${target}`)
      }
      continue
    }
    const source = sources[0] as TableVerdict
    const migrationNotes: string[] = []
    if (outsideIac(target)) {
      tempPair(target)
      migrationNotes.push(`${target} already exists outside IaC: adopt it first (import, or the temp-table strategy), then migrate into it (allow-non-empty-target)`)
    } else if (liveSet.has(target)) {
      migrationNotes.push(`${target} already exists: the copy needs it empty, or allow-non-empty-target`)
    }
    const iac = input.iac ? iacByName.get(target) : undefined
    migrations.push({
      source: source.table,
      target,
      strategy: 'direct',
      ...(iac ? { iacLogicalId: iac.logicalId } : {}),
      reason: iac ? `the template names ${iac.logicalId} ${target}` : `${convention.text} names it ${target}`,
      notes: migrationNotes
    })
  }
  for (const v of tables) {
    if (v.verdict === 'conforms' && outsideIac(v.table)) {
      tempPair(v.table)
      v.notes.push('exists outside IaC: adopt by import, or the temp-table strategy')
    }
  }
  migrations.push(...tempPairs.values())

  const missingLive: MissingTable[] = []
  for (const table of input.iac ?? []) {
    if (!table.tableName || liveSet.has(table.tableName)) continue
    const from = migrations.find((m) => m.strategy === 'direct' && m.target === table.tableName)
    missingLive.push({ table: table.tableName, iacLogicalId: table.logicalId, ...(from ? { migrateFrom: from.source } : {}) })
  }
  return { tables, missingLive, migrations, conflicts, notes }
}

function logical(match: StageMatch | undefined): { logicalName?: string } {
  return match ? { logicalName: match.logicalName } : {}
}
