import { describe, expect, it } from '@jest/globals'
import { classifyTables, type ClassifyInput } from '../../src/drift/classify.js'
import { DEFAULT_STAGES, parseConvention } from '../../src/drift/naming.js'
import type { IacTable } from '../../src/drift/template.js'
import { orderTrackingSchema } from '../helpers/dynamo.js'

const iacTable = (tableName: string, logicalId = 'OrderTrackingTable'): IacTable => ({ logicalId, tableName, schema: { createTable: orderTrackingSchema(tableName) } })

/** The article's live tables, across its three stages, plus a few others. */
const LIVE = ['order-tracking-qa', 'order-tracking-uat', 'prod-order-tracking', 'qa-audit-log', 'dev-order-tracking', 'legacy-sessions', 'Customers']

function classify(stage: string, overrides: Partial<ClassifyInput> = {}) {
  return classifyTables({
    convention: parseConvention('${stage}-${name}'),
    stage,
    stages: DEFAULT_STAGES,
    live: LIVE,
    iac: [iacTable(`${stage}-order-tracking`)],
    managed: new Set(),
    ...overrides
  })
}

const verdicts = (c: ReturnType<typeof classify>) => Object.fromEntries(c.tables.map((t) => [t.table, t.stage ? `${t.verdict} ${t.stage}` : t.verdict]))

describe('classifyTables: the article', () => {
  it('qa: order-tracking-qa drifted, to be migrated to qa-order-tracking, which IaC creates', () => {
    const c = classify('qa')
    expect(verdicts(c)).toEqual({
      'order-tracking-qa': 'drifted qa',
      'order-tracking-uat': 'other-stage uat',
      'prod-order-tracking': 'other-stage prod',
      'qa-audit-log': 'conforms qa',
      'dev-order-tracking': 'other-stage dev',
      'legacy-sessions': 'unknown',
      Customers: 'unknown'
    })
    expect(c.tables.find((t) => t.table === 'order-tracking-qa')).toMatchObject({ expectedName: 'qa-order-tracking', inIac: true, iacLogicalId: 'OrderTrackingTable', logicalName: 'order-tracking' })
    expect(c.tables.find((t) => t.table === 'qa-audit-log')).toMatchObject({ inIac: false })
    expect(c.migrations).toEqual([{ source: 'order-tracking-qa', target: 'qa-order-tracking', strategy: 'direct', iacLogicalId: 'OrderTrackingTable', reason: 'the template names OrderTrackingTable qa-order-tracking', notes: [] }])
    expect(c.missingLive).toEqual([{ table: 'qa-order-tracking', iacLogicalId: 'OrderTrackingTable', migrateFrom: 'order-tracking-qa' }])
  })

  it('uat: order-tracking-uat -> uat-order-tracking', () => {
    const c = classify('uat')
    expect(c.migrations.map((m) => `${m.source} -> ${m.target} (${m.strategy})`)).toEqual(['order-tracking-uat -> uat-order-tracking (direct)'])
    expect(verdicts(c)['order-tracking-qa']).toBe('other-stage qa')
    expect(verdicts(c)['qa-audit-log']).toBe('other-stage qa')
    expect(c.tables.find((t) => t.table === 'order-tracking-qa')?.expectedName).toBe('qa-order-tracking')
  })

  it('prod: the name already matches, but the table exists outside IaC: the temp-table strategy', () => {
    const c = classify('prod')
    expect(c.tables.find((t) => t.table === 'prod-order-tracking')).toMatchObject({ verdict: 'conforms', inIac: true, notes: ['exists outside IaC: adopt by import, or the temp-table strategy'] })
    expect(c.migrations).toEqual([
      {
        source: 'prod-order-tracking',
        target: 'prod-order-tracking',
        strategy: 'temp-table',
        tempTable: 'prod-order-tracking-temp',
        iacLogicalId: 'OrderTrackingTable',
        reason: 'prod-order-tracking exists outside IaC, so deploying the template would fail on the taken name',
        notes: []
      }
    ])
    expect(c.missingLive).toEqual([])
  })

  it('prod, with the table known to be managed by the stack: nothing to do', () => {
    const c = classify('prod', { managed: new Set(['prod-order-tracking']) })
    expect(c.migrations).toEqual([])
    expect(c.tables.find((t) => t.table === 'prod-order-tracking')?.notes).toEqual([])
  })
})

describe('classifyTables: other cases', () => {
  it('without a template: the convention alone decides, nothing is "in IaC"', () => {
    const c = classify('qa', { iac: undefined })
    expect(c.tables.find((t) => t.table === 'order-tracking-qa')).toMatchObject({ verdict: 'drifted', expectedName: 'qa-order-tracking' })
    expect(c.tables.every((t) => t.inIac === undefined)).toBe(true)
    expect(c.migrations.map((m) => m.reason)).toEqual(['${stage}-${name} names it qa-order-tracking'])
    expect(c.missingLive).toEqual([])
  })

  it('the template decides the logical name: a conforming-looking name with other separators is drift', () => {
    const c = classify('qa', { live: ['qa-order_tracking', 'qa-Order-Tracking'] })
    expect(c.tables.map((t) => [t.table, t.verdict, t.expectedName])).toEqual([
      ['qa-Order-Tracking', 'drifted', 'qa-order-tracking'],
      ['qa-order_tracking', 'drifted', 'qa-order-tracking']
    ])
  })

  it('two drifted tables for one target: a conflict, no migration', () => {
    const c = classify('qa', { live: ['order-tracking-qa', 'order_tracking_qa'] })
    expect(c.migrations).toEqual([])
    expect(c.conflicts).toEqual(['order-tracking-qa, order_tracking_qa all map to qa-order-tracking: choose which one to migrate (the others need merging or removing by hand)'])
    expect(c.tables.map((t) => t.notes)).toEqual([['conflict: order_tracking_qa also maps to qa-order-tracking'], ['conflict: order-tracking-qa also maps to qa-order-tracking']])
  })

  it('a drifted table whose target exists outside IaC: adopt the target first, then migrate', () => {
    const c = classify('qa', { live: ['order-tracking-qa', 'qa-order-tracking'] })
    expect(c.migrations.map((m) => [m.source, m.target, m.strategy])).toEqual([
      ['order-tracking-qa', 'qa-order-tracking', 'direct'],
      ['qa-order-tracking', 'qa-order-tracking', 'temp-table']
    ])
    expect(c.migrations[0]?.notes).toEqual(['qa-order-tracking already exists outside IaC: adopt it first (import, or the temp-table strategy), then migrate into it (allow-non-empty-target)'])
  })

  it('a stage outside the known list is recognised from a logical name the template defines', () => {
    const c = classify('qa', { live: ['perf-order-tracking', 'order-tracking-perf', 'perf-reports'] })
    expect(verdicts(c)).toEqual({ 'order-tracking-perf': 'other-stage perf', 'perf-order-tracking': 'other-stage perf', 'perf-reports': 'unknown' })
  })

  it('a temp table left by the strategy is pointed out', () => {
    const c = classify('prod', { live: ['prod-order-tracking-temp'] })
    expect(c.tables[0]).toMatchObject({ verdict: 'conforms', inIac: false, notes: ['looks like the temp table of prod-order-tracking (temp-table strategy)'] })
  })

  it('a template name that does not follow the convention is reported', () => {
    const c = classify('qa', { iac: [iacTable('OrderTracking')], live: [] })
    expect(c.notes).toEqual(['The template names OrderTrackingTable "OrderTracking", which does not follow ${stage}-${name} for stage qa'])
  })

  it('${stage}-${service}-${name}', () => {
    const c = classify('qa', { convention: parseConvention('${stage}-${service}-${name}'), service: 'shop', iac: [iacTable('qa-shop-orders', 'Orders')], live: ['orders-qa', 'shop_orders_qa', 'uat-shop-orders', 'qa-shop-carts'] })
    expect(c.tables.map((t) => [t.table, t.verdict, t.expectedName ?? t.stage])).toEqual([
      ['orders-qa', 'drifted', 'qa-shop-orders'],
      ['qa-shop-carts', 'conforms', 'qa'],
      ['shop_orders_qa', 'drifted', 'qa-shop-orders'],
      ['uat-shop-orders', 'other-stage', 'uat']
    ])
    expect(c.conflicts).toHaveLength(1)
  })
})
