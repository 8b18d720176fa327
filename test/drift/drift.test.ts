// mode drift against dynalite holding the article's three tables (one per stage) plus a
// conforming, a foreign-stage and unrelated tables. The names must be exact for the naming
// logic, so only this suite creates them, and each run considers only them (tableFilter):
// the server is shared with suites running at the same time.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { parseMigrations } from '../../src/config/migrations.js'
import { runDrift, type DriftOptions } from '../../src/drift/drift.js'
import { renderDriftMarkdown, renderMigrationsText, renderMigrationsYaml } from '../../src/drift/render.js'
import { MigrationError } from '../../src/errors.js'
import { RecordingReporter, createTable, dropTable, localClient, orderTrackingSchema, testContext } from '../helpers/dynamo.js'

const TEMPLATE = 'test/fixtures/drift/serverless.yml'

/** The article's GSIs, minus companyId-createdAt-index, on PROVISIONED capacity: the planted differences. */
const qaSchema = () => {
  const base = orderTrackingSchema('order-tracking-qa')
  return {
    ...base,
    BillingMode: 'PROVISIONED' as const,
    ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 },
    GlobalSecondaryIndexes: base.GlobalSecondaryIndexes?.filter((g) => g.IndexName === 'recordId-index').map((g) => ({ ...g, ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 } }))
  }
}

const simpleTable = (name: string) => ({
  TableName: name,
  BillingMode: 'PAY_PER_REQUEST' as const,
  AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' as const }],
  KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' as const }]
})

const TABLES = [
  qaSchema(),
  orderTrackingSchema('order-tracking-uat'),
  orderTrackingSchema('prod-order-tracking'),
  simpleTable('qa-audit-log'),
  orderTrackingSchema('dev-order-tracking'),
  simpleTable('legacy-sessions')
]
const NAMES = TABLES.map((t) => t.TableName as string)

let client: DynamoDBClient

beforeAll(async () => {
  client = localClient()
  await Promise.all(NAMES.map((n) => dropTable(client, n)))
  for (const table of TABLES) await createTable(client, table)
})

afterAll(async () => {
  await Promise.all(NAMES.map((n) => dropTable(client, n)))
  client.destroy()
})

function drift(stage: string, extra: Partial<DriftOptions> = {}) {
  const reporter = new RecordingReporter()
  const commands: string[] = []
  client.middlewareStack.remove('driftCommandNames')
  client.middlewareStack.add(
    (next, context) => async (args) => {
      commands.push(String(context.commandName))
      return next(args)
    },
    { step: 'initialize', name: 'driftCommandNames' }
  )
  const run = runDrift(testContext(client, reporter), {
    namingConvention: '${stage}-${name}',
    stage,
    iacTemplate: TEMPLATE,
    template: { env: {} },
    tableFilter: (t) => NAMES.includes(t),
    pageSize: 2,
    ...extra
  })
  return { run, reporter, commands }
}

const verdicts = (tables: { table: string; verdict: string; stage?: string }[]) => Object.fromEntries(tables.map((t) => [t.table, t.stage ? `${t.verdict} ${t.stage}` : t.verdict]))

describe('mode drift with the article serverless.yml', () => {
  it('qa: classifies every table, reports the planted schema differences, proposes order-tracking-qa -> qa-order-tracking', async () => {
    const { run, commands } = drift('qa')
    const report = await run
    expect(verdicts(report.tables)).toEqual({
      'dev-order-tracking': 'other-stage dev',
      'legacy-sessions': 'unknown',
      'order-tracking-qa': 'drifted qa',
      'order-tracking-uat': 'other-stage uat',
      'prod-order-tracking': 'other-stage prod',
      'qa-audit-log': 'conforms qa'
    })
    expect(report.counts).toEqual({ conforms: 1, drifted: 1, 'other-stage': 3, unknown: 1 })
    expect(report.missingLive).toEqual([{ table: 'qa-order-tracking', iacLogicalId: 'OrderTrackingTable', migrateFrom: 'order-tracking-qa' }])
    expect(report.notInIac).toEqual(['qa-audit-log'])
    expect(report.nameDrift).toEqual([{ table: 'order-tracking-qa', expected: 'qa-order-tracking' }])
    expect(report.schemaComparisons).toEqual([
      {
        table: 'order-tracking-qa',
        iacLogicalId: 'OrderTrackingTable',
        iacTableName: 'qa-order-tracking',
        relation: 'migration-source',
        blocking: [],
        warnings: ['global secondary index companyId-createdAt-index: in the template only', 'billing mode: live PROVISIONED, template PAY_PER_REQUEST']
      }
    ])
    expect(report.migrations.map((m) => [m.source, m.target, m.strategy])).toEqual([['order-tracking-qa', 'qa-order-tracking', 'direct']])
    expect(report.template).toMatchObject({ kind: 'serverless', service: 'order-tracking', tables: [{ logicalId: 'OrderTrackingTable', tableName: 'qa-order-tracking' }] })
    // read-only, and ListTables followed its pages
    expect(commands.filter((c) => !/^(ListTables|DescribeTable|DescribeTimeToLive|DescribeContinuousBackups|ListTagsOfResource)Command$/.test(c))).toEqual([])
    expect(commands.filter((c) => c === 'ListTablesCommand').length).toBeGreaterThan(1)
  })

  it('uat: order-tracking-uat -> uat-order-tracking, schema identical', async () => {
    const report = await drift('uat').run
    expect(verdicts(report.tables)).toMatchObject({ 'order-tracking-uat': 'drifted uat', 'order-tracking-qa': 'other-stage qa', 'qa-audit-log': 'other-stage qa', 'prod-order-tracking': 'other-stage prod' })
    expect(report.migrations.map((m) => `${m.source} -> ${m.target}`)).toEqual(['order-tracking-uat -> uat-order-tracking'])
    expect(report.schemaComparisons).toEqual([expect.objectContaining({ table: 'order-tracking-uat', blocking: [], warnings: [] })])
  })

  it('prod: the name matches but the table is outside IaC: the temp-table strategy', async () => {
    const report = await drift('prod').run
    expect(verdicts(report.tables)).toMatchObject({ 'prod-order-tracking': 'conforms prod', 'order-tracking-qa': 'other-stage qa', 'order-tracking-uat': 'other-stage uat' })
    expect(report.migrations).toEqual([expect.objectContaining({ source: 'prod-order-tracking', target: 'prod-order-tracking', strategy: 'temp-table', tempTable: 'prod-order-tracking-temp' })])
    expect(report.missingLive).toEqual([])
    expect(report.schemaComparisons).toEqual([expect.objectContaining({ table: 'prod-order-tracking', relation: 'same-name', blocking: [], warnings: [] })])
  })

  it('prod with managed-tables naming it: conforms, nothing to migrate', async () => {
    const report = await drift('prod', { managedTables: ['prod-order-tracking'] }).run
    expect(report.migrations).toEqual([])
  })

  it('without a template: the convention alone', async () => {
    const report = await drift('qa', { iacTemplate: undefined }).run
    expect(report.template).toBeUndefined()
    expect(report.migrations.map((m) => `${m.source} -> ${m.target}`)).toEqual(['order-tracking-qa -> qa-order-tracking'])
    expect(report.schemaComparisons).toEqual([])
    expect(report.notInIac).toEqual([])
  })

  it('a template variable it cannot resolve stops the run before any AWS call', async () => {
    const { run, commands } = drift('qa', { iacTemplate: 'test/fixtures/drift/cloudformation.yml' })
    await expect(run).rejects.toMatchObject({ code: 'TEMPLATE_UNRESOLVED', message: expect.stringContaining('Ref AWS::StackName in test/fixtures/drift/cloudformation.yml') })
    expect(commands).toEqual([])
  })

  it('${service} in the convention without a service is refused', async () => {
    await expect(drift('qa', { namingConvention: '${stage}-${service}-${name}', iacTemplate: undefined }).run).rejects.toBeInstanceOf(MigrationError)
  })
})

describe('drift output', () => {
  it('the job summary has a row per table and the migrations block', async () => {
    const report = await drift('qa').run
    const md = renderDriftMarkdown(report)
    for (const name of NAMES) expect(md).toContain(`| \`${name}\` |`)
    expect(md).toContain('| `order-tracking-qa` | ⚠️ drifted | qa | `qa-order-tracking` | yes (OrderTrackingTable) | ❌ 2 differences |')
    expect(md).toContain('| `qa-order-tracking` | 🕳️ in IaC, not live | qa |')
    expect(md).toContain('  - billing mode: live PROVISIONED, template PAY_PER_REQUEST')
    expect(md).toContain('```text\n# Stage qa: renames (mode migrate, then delete)\norder-tracking-qa -> qa-order-tracking\n```')
  })

  it('the migrations text and YAML file parse as the migrations input', async () => {
    const qa = await drift('qa').run
    expect(parseMigrations(renderMigrationsText(qa))).toEqual([{ source: 'order-tracking-qa', target: 'qa-order-tracking' }])
    expect(parseMigrations('drift-migrations.yml', () => renderMigrationsYaml(qa))).toEqual([{ source: 'order-tracking-qa', target: 'qa-order-tracking' }])
    const prod = await drift('prod').run
    const text = renderMigrationsText(prod)
    expect(text).toBe(
      '# Stage prod: temp-table strategy (modes to-temp, delete-source, then the IaC deploy, from-temp, drop-temp)\n' +
        '# prod-order-tracking exists outside IaC, so deploying the template would fail on the taken name; temp table prod-order-tracking-temp\n' +
        'prod-order-tracking -> prod-order-tracking\n'
    )
    expect(parseMigrations(text)).toEqual([{ source: 'prod-order-tracking', target: 'prod-order-tracking' }])
    expect(renderMigrationsText(prod, 'direct')).toBe('# Stage prod: no migrations needed\n')
    expect(parseMigrations('t.yml', () => renderMigrationsYaml(prod, 'temp-table'))).toEqual([{ source: 'prod-order-tracking', target: 'prod-order-tracking' }])
  })
})
