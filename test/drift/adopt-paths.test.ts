// The recommendation rules and the template edits, without a server: reports built by hand.
import { describe, expect, it } from '@jest/globals'
import type { CreateTableInput } from '@aws-sdk/client-dynamodb'
import { recommendPaths } from '../../src/drift/adopt.js'
import { adoptionFiles, changeSetName, terraformName } from '../../src/drift/adopt-files.js'
import type { ProposedMigration, TableVerdict } from '../../src/drift/classify.js'
import type { DriftReport } from '../../src/drift/drift.js'
import { propertiesFromSchema, templateChanges } from '../../src/drift/template-changes.js'
import type { TableSchema } from '../../src/dynamo/table-schema.js'
import { orderTrackingSchema } from '../helpers/dynamo.js'

const schema = (createTable: CreateTableInput, extra: Partial<TableSchema> = {}): TableSchema => ({ createTable, timeToLiveAttribute: null, pointInTimeRecovery: false, tags: [], ...extra })

type Body = Omit<DriftReport, 'recommendations'>

function report(stage: string, tables: TableVerdict[], migrations: ProposedMigration[], extra: Partial<Body> = {}): Body {
  return {
    stage,
    namingConvention: '${stage}-${name}',
    template: { path: 'serverless.yml', kind: 'serverless', parameters: {}, notes: [], stackName: `order-tracking-${stage}`, region: 'us-east-1', tables: [{ logicalId: 'OrderTrackingTable', tableName: `${stage}-order-tracking`, deletionPolicy: 'Retain' }] },
    tables,
    counts: { conforms: 0, drifted: 0, 'other-stage': 0, unknown: 0 },
    missingLive: [],
    notInIac: [],
    nameDrift: [],
    schemaComparisons: [],
    migrations,
    conflicts: [],
    warnings: [],
    ...extra
  }
}

const conforms = (table: string, extra: Partial<TableVerdict> = {}): TableVerdict => ({ table, verdict: 'conforms', stage: 'prod', inIac: true, iacLogicalId: 'OrderTrackingTable', notes: [], ...extra })
const tempPair = (name: string): ProposedMigration => ({ source: name, target: name, strategy: 'temp-table', tempTable: `${name}-temp`, iacLogicalId: 'OrderTrackingTable', reason: 'outside IaC', notes: [] })
const sameName = (table: string, live: TableSchema, template: TableSchema) => ({
  table,
  iacLogicalId: 'OrderTrackingTable',
  iacTableName: table,
  relation: 'same-name' as const,
  blocking: [],
  warnings: [],
  templateChanges: templateChanges(live, template),
  liveProperties: propertiesFromSchema(live)
})

describe('template changes an import needs', () => {
  it('none when the template describes the live table, whatever the order of lists', () => {
    const live = orderTrackingSchema('t')
    const shuffled = { ...live, AttributeDefinitions: [...(live.AttributeDefinitions ?? [])].reverse(), GlobalSecondaryIndexes: [...(live.GlobalSecondaryIndexes ?? [])].reverse() }
    expect(templateChanges(schema(live), schema(shuffled))).toEqual([])
  })

  it('what the live side could not read is not compared; absent template tags mean none', () => {
    const live = schema(orderTrackingSchema('t'), { timeToLiveAttribute: undefined, pointInTimeRecovery: undefined, tags: undefined })
    expect(templateChanges(live, schema(orderTrackingSchema('t'), { timeToLiveAttribute: 'expiresAt', pointInTimeRecovery: true, tags: [{ Key: 'a', Value: 'b' }] }))).toEqual([])
    const tagged = schema(orderTrackingSchema('t'), { tags: [{ Key: 'team', Value: 'ops' }] })
    expect(templateChanges(tagged, schema(orderTrackingSchema('t'), { tags: undefined }))).toEqual([
      { path: 'Properties.Tags', difference: 'team live only', value: [{ Key: 'team', Value: 'ops' }], restore: 'in-place' }
    ])
  })

  it('TTL, point-in-time recovery and stream as properties with the live values; removal when the live table lacks one', () => {
    const live = schema({ ...orderTrackingSchema('t'), StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' } }, { timeToLiveAttribute: 'expiresAt', pointInTimeRecovery: false })
    const template = schema(orderTrackingSchema('t'), { pointInTimeRecovery: true })
    expect(templateChanges(live, template)).toEqual([
      { path: 'Properties.StreamSpecification', difference: 'template not set, live {"StreamViewType":"NEW_IMAGE"}', value: { StreamViewType: 'NEW_IMAGE' }, restore: 'in-place' },
      { path: 'Properties.TimeToLiveSpecification', difference: 'template not set, live {"AttributeName":"expiresAt","Enabled":true}', value: { AttributeName: 'expiresAt', Enabled: true }, restore: 'in-place' },
      {
        path: 'Properties.PointInTimeRecoverySpecification',
        difference: 'template {"PointInTimeRecoveryEnabled":true}, live not set',
        template: { PointInTimeRecoveryEnabled: true },
        remove: true,
        restore: 'in-place'
      }
    ])
  })

  it('a different key schema: KeySchema must change, and only a new table can go back', () => {
    const live = orderTrackingSchema('t')
    const template: CreateTableInput = { ...live, KeySchema: [{ AttributeName: 'companyId', KeyType: 'HASH' }] }
    const changes = templateChanges(schema(live), schema(template))
    expect(changes.find((c) => c.path === 'Properties.KeySchema')).toMatchObject({ difference: 'template companyId (HASH), live companyId (HASH) + recordId (RANGE)', restore: 'replacement' })
  })

  it('an index that differs names the fields that differ', () => {
    const live = orderTrackingSchema('t')
    const template: CreateTableInput = { ...live, GlobalSecondaryIndexes: live.GlobalSecondaryIndexes?.map((g) => (g.IndexName === 'recordId-index' ? { ...g, Projection: { ProjectionType: 'KEYS_ONLY' } } : g)) }
    expect(templateChanges(schema(live), schema(template))[0]?.difference).toBe('recordId-index: Projection template {"ProjectionType":"KEYS_ONLY"}, live {"ProjectionType":"ALL"}')
  })
})

describe('recommended paths', () => {
  const live = schema(orderTrackingSchema('prod-order-tracking'))

  it('a live table with the template name outside the stack: adopt; its temp table live: finish the round trip', () => {
    const base = report('prod', [conforms('prod-order-tracking')], [tempPair('prod-order-tracking')], { schemaComparisons: [sameName('prod-order-tracking', live, live)] })
    const [adopt] = recommendPaths(base)
    expect(adopt).toMatchObject({ path: 'adopt', templateChanges: [], alternative: { path: 'temp-table' } })
    expect(adopt?.why).toContain('the template already describes the live table')
    expect(adopt?.why).toContain('Serverless Framework: the import runs on the CloudFormation stack it generates (order-tracking-prod)')
    const inProgress = { ...base, tables: [...base.tables, { table: 'prod-order-tracking-temp', verdict: 'conforms' as const, notes: [] }] }
    expect(recommendPaths(inProgress)[0]).toMatchObject({ path: 'temp-table', alternative: { path: 'adopt' } })
    expect(recommendPaths(inProgress)[0]?.why).toContain('a temp-table round trip is under way')
  })

  it('a different primary key: still adopt, the template takes the live key, and why says what that means', () => {
    const template = schema({ ...orderTrackingSchema('prod-order-tracking'), KeySchema: [{ AttributeName: 'recordId', KeyType: 'HASH' }] })
    const [r] = recommendPaths(report('prod', [conforms('prod-order-tracking')], [tempPair('prod-order-tracking')], { schemaComparisons: [sameName('prod-order-tracking', live, template)] }))
    expect(r?.path).toBe('adopt')
    expect(r?.why).toContain("the template carries the live key, which the application (and the tables this template creates in other stages) must use")
    expect(r?.why).toContain('the temp-table copy back would fail on items without it')
  })

  it('several indexes only the template has: restoring them takes one deploy each', () => {
    const bare = schema({ ...orderTrackingSchema('prod-order-tracking'), GlobalSecondaryIndexes: undefined, AttributeDefinitions: orderTrackingSchema('x').AttributeDefinitions?.slice(0, 2) })
    const [r] = recommendPaths(report('prod', [conforms('prod-order-tracking')], [tempPair('prod-order-tracking')], { schemaComparisons: [sameName('prod-order-tracking', bare, live)] }))
    expect(r?.templateChanges?.find((c) => c.path === 'Properties.GlobalSecondaryIndexes')).toMatchObject({ remove: true, restore: 'in-place' })
    expect(r?.notes).toEqual(['CloudFormation creates or deletes one global secondary index per stack update: restoring several takes several deploys'])
  })

  it('a local secondary index only the template has: the temp-table round trip, adopt as the alternative', () => {
    const template = schema({
      ...orderTrackingSchema('prod-order-tracking'),
      LocalSecondaryIndexes: [{ IndexName: 'by-created', KeySchema: [{ AttributeName: 'companyId', KeyType: 'HASH' }, { AttributeName: 'createdAt', KeyType: 'RANGE' }], Projection: { ProjectionType: 'ALL' } }]
    })
    const [r] = recommendPaths(report('prod', [conforms('prod-order-tracking')], [tempPair('prod-order-tracking')], { schemaComparisons: [sameName('prod-order-tracking', live, template)] }))
    expect(r).toMatchObject({ path: 'temp-table', alternative: { path: 'adopt' } })
    expect(r?.why).toContain('by-created in the template only')
  })

  it('a drifted table in production: live migrate; elsewhere: migrate by copy; a target outside the stack is adopted first', () => {
    const drifted = (table: string, stage: string): TableVerdict => ({ table, verdict: 'drifted', stage, expectedName: `${stage}-order-tracking`, inIac: true, iacLogicalId: 'OrderTrackingTable', notes: [] })
    const direct = (source: string, target: string): ProposedMigration => ({ source, target, strategy: 'direct', iacLogicalId: 'OrderTrackingTable', reason: `the template names OrderTrackingTable ${target}`, notes: [] })
    const prod = recommendPaths(
      report('prod', [drifted('order-tracking-prod', 'prod'), conforms('prod-order-tracking')], [direct('order-tracking-prod', 'prod-order-tracking'), tempPair('prod-order-tracking')], {
        schemaComparisons: [sameName('prod-order-tracking', live, live)]
      })
    )
    expect(prod.map((r) => `${r.table}: ${r.path} -> ${r.target}`)).toEqual(['order-tracking-prod: live-migrate -> prod-order-tracking', 'prod-order-tracking: adopt -> prod-order-tracking'])
    expect(prod[0]?.why).toContain('prod-order-tracking exists outside IaC: adopt it first (its own row), then copy into it with allow-non-empty-target')
    expect(prod[0]?.why).toContain('migrate with live: true')
    const qa = recommendPaths(report('qa', [drifted('order-tracking-qa', 'qa')], [direct('order-tracking-qa', 'qa-order-tracking')]))
    expect(qa[0]).toMatchObject({ path: 'migrate', target: 'qa-order-tracking', alternative: { path: 'live-migrate' } })
    expect(recommendPaths(report('qa', [drifted('order-tracking-qa', 'qa')], [direct('order-tracking-qa', 'qa-order-tracking')]), { liveStages: ['qa'] })[0]?.path).toBe('live-migrate')
  })

  it('conforming tables: in the stack, outside the template, without a template; other stages get no row', () => {
    const r = recommendPaths(
      report('prod', [conforms('prod-order-tracking'), conforms('prod-audit', { inIac: false, iacLogicalId: undefined }), { table: 'qa-x', verdict: 'other-stage', stage: 'qa', notes: [] }], [])
    )
    expect(r.map((x) => [x.table, x.path])).toEqual([
      ['prod-order-tracking', 'conforming'],
      ['prod-audit', 'conforming']
    ])
    expect(r[1]?.why).toContain('add a resource for it and import it')
  })
})

describe('adoption file details', () => {
  it('change set and Terraform names are valid identifiers', () => {
    const body = report('prod', [], [])
    expect(changeSetName({ ...body, recommendations: [] }, [{ table: 'prod_orders.v2', path: 'adopt', why: '', target: 'prod_orders.v2', notes: [] }])).toBe('adopt-prod-orders-v2')
    expect(terraformName('prod-order-tracking')).toBe('prod_order_tracking')
    expect(terraformName('2024-orders')).toBe('_2024_orders')
  })

  it('a JSON template gets JSON snippets; an unknown stack name must be given to commands.sh', () => {
    const live = schema({ ...orderTrackingSchema('prod-order-tracking'), BillingMode: 'PROVISIONED', ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 }, GlobalSecondaryIndexes: undefined, AttributeDefinitions: orderTrackingSchema('x').AttributeDefinitions?.slice(0, 2) })
    const template = schema(orderTrackingSchema('prod-order-tracking'))
    const body = report('prod', [conforms('prod-order-tracking')], [tempPair('prod-order-tracking')], { schemaComparisons: [sameName('prod-order-tracking', live, template)] })
    body.template = { path: 'stack.json', kind: 'cloudformation', parameters: {}, notes: [], region: 'eu-west-1', tables: [{ logicalId: 'OrderTrackingTable', tableName: 'prod-order-tracking' }] }
    const full: DriftReport = { ...body, recommendations: recommendPaths(body) }
    const files = Object.fromEntries(adoptionFiles(full).map((f) => [f.name, f.content]))
    expect(files['required-template-changes.md']).toContain('  ```json\n  {\n    "BillingMode": "PROVISIONED"\n  }\n  ```')
    expect(files['required-template-changes.md']).toContain('- **`DeletionPolicy`**')
    expect(files['commands.sh']).toContain('STACK=${STACK:?set STACK to the name of the stack that deploys stack.json}')
    expect(files['commands.sh']).toContain("REGION='eu-west-1'")
    expect(JSON.parse(files['table-resources.json'] as string).OrderTrackingTable.DeletionPolicy).toBe('Retain')
  })
})
