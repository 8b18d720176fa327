// plan is read-only: every command the client sends is recorded by a middleware, and only
// Describe*, List* and Scan may appear, whatever the plan finds or would refuse.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { promises as fs } from 'node:fs'
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { planPair } from '../../src/engine/plan.js'
import { runMigrations } from '../../src/engine/run.js'
import { localClient, orderItems, orderTrackingSchema, putItems, settingsFor, tempDir, uniqueName } from '../helpers/dynamo.js'
import { createTable, dropTables, manifestsUnder, recordCommands, tableStates, testContext } from './support.js'
import type { EngineSettings, MigrationPair } from '../../src/engine/settings.js'

const setup = localClient()
const created: string[] = []
let backupDir: string
let recording: DynamoDBClient
let commands: string[]

beforeAll(async () => {
  backupDir = await tempDir('ddb-plan-')
  recording = localClient()
  commands = recordCommands(recording)
})
afterAll(async () => {
  await dropTables(setup, created)
  setup.destroy()
  recording.destroy()
  await fs.rm(backupDir, { recursive: true, force: true })
})

const READ_ONLY = /^(Describe\w+|List\w+|Scan)Command$/

/** Plans with the recording client and checks that it sent only reads and changed nothing. */
async function plan(pair: MigrationPair, overrides: Partial<EngineSettings> = {}) {
  const before = await tableStates(setup, [pair.source, pair.target])
  commands.length = 0
  const result = await planPair(testContext(recording), pair, settingsFor(backupDir, overrides))
  const sent = [...commands]
  expect(sent.length).toBeGreaterThan(0)
  expect(sent.filter((name) => !READ_ONLY.test(name))).toEqual([])
  expect(await tableStates(setup, [pair.source, pair.target])).toEqual(before)
  expect(await manifestsUnder(backupDir)).toEqual([])
  return { result, plan: result.plan!, sent }
}

async function sourceTable(count: number, prefix = 'plan-src') {
  const name = uniqueName(prefix)
  created.push(name)
  await createTable(setup, orderTrackingSchema(name))
  await putItems(setup, name, orderItems(count))
  return name
}

function targetName(prefix = 'plan-dst') {
  const name = uniqueName(prefix)
  created.push(name)
  return name
}

describe('planPair (read-only dry run)', () => {
  it('a missing target: target would be created from the source schema, with the real count from a COUNT scan', async () => {
    const source = await sourceTable(137)
    const target = targetName()
    const { result, plan: p, sent } = await plan({ source, target }, { scanSegments: 3 })
    expect(result.status).toBe('planned')
    expect(result.mode).toBe('plan')
    expect(result.error).toBeUndefined()
    expect(p).toMatchObject({ sourceExists: true, targetExists: false, sourceItemCount: 137, targetAction: 'create', refusals: [] })
    expect(result.itemsScanned).toBe(137)
    // dynalite's DescribeTable ItemCount is always 0: the plan shows it beside the real count, never instead.
    expect(p.sourceApproximateItemCount).toBe(0)
    expect(p.targetCreateInput).toMatchObject({ TableName: target, BillingMode: 'PAY_PER_REQUEST', KeySchema: orderTrackingSchema(target).KeySchema })
    expect(p.targetCreateInput?.GlobalSecondaryIndexes?.map((g) => g.IndexName).sort()).toEqual(['companyId-createdAt-index', 'recordId-index'])
    expect(p.schemaDiff).toBeUndefined()
    expect(p.estimatedSeconds).toBeGreaterThan(0)
    expect(sent).toContain('DescribeTableCommand')
    expect(sent).toContain('ScanCommand')
  })

  it('an existing empty target with the same schema: use-existing, no refusals, an empty schema diff', async () => {
    const source = await sourceTable(12)
    const target = targetName()
    await createTable(setup, orderTrackingSchema(target))
    const { result, plan: p } = await plan({ source, target })
    expect(result.status).toBe('planned')
    expect(p).toMatchObject({ sourceExists: true, targetExists: true, targetHasItems: false, sourceItemCount: 12, targetAction: 'use-existing', refusals: [] })
    expect(p.targetCreateInput).toBeUndefined()
    expect(p.schemaDiff).toEqual({ blocking: [], warnings: [] })
  })

  it('an existing target with another schema and items: SCHEMA_MISMATCH and TARGET_NOT_EMPTY refusals, with the schema diff', async () => {
    const source = await sourceTable(8)
    const target = targetName()
    await createTable(setup, orderTrackingSchema(target, { GlobalSecondaryIndexes: [orderTrackingSchema(target).GlobalSecondaryIndexes![0]!] }))
    await putItems(setup, target, orderItems(2, { seed: 'other' }))
    const { result, plan: p } = await plan({ source, target })
    expect(result.status).toBe('refused')
    expect(result.error?.code).toBe('SCHEMA_MISMATCH')
    expect(p.targetExists).toBe(true)
    expect(p.targetHasItems).toBe(true)
    expect(p.targetAction).toBe('use-existing')
    expect(p.refusals.map((r) => r.code)).toEqual(['SCHEMA_MISMATCH', 'TARGET_NOT_EMPTY'])
    expect(p.schemaDiff?.blocking).toEqual(['global secondary index companyId-createdAt-index: missing on the target'])
    // allow-non-empty-target lifts only the emptiness refusal.
    const allowed = await plan({ source, target }, { allowNonEmptyTarget: true })
    expect(allowed.plan.refusals.map((r) => r.code)).toEqual(['SCHEMA_MISMATCH'])
  })

  it('a missing source: sourceExists false, targetAction none, SOURCE_MISSING', async () => {
    const source = uniqueName('plan-missing-src')
    const target = targetName()
    const { result, plan: p, sent } = await plan({ source, target })
    expect(result.status).toBe('refused')
    expect(p).toMatchObject({ sourceExists: false, targetExists: false, targetAction: 'none' })
    expect(p.sourceItemCount).toBeUndefined()
    expect(p.refusals.map((r) => r.code)).toEqual(['SOURCE_MISSING'])
    expect(sent).not.toContain('ScanCommand')
  })

  it("create-target never with a missing target: TARGET_MISSING", async () => {
    const source = await sourceTable(3)
    const target = targetName()
    const { result, plan: p } = await plan({ source, target }, { createTarget: 'never' })
    expect(result.status).toBe('refused')
    expect(p.refusals.map((r) => r.code)).toEqual(['TARGET_MISSING'])
  })

  it('invalid names are refused without a single call to DynamoDB', async () => {
    commands.length = 0
    const result = await planPair(testContext(recording), { source: 'ab', target: 'bad name!' }, settingsFor(backupDir))
    expect(commands).toEqual([])
    expect(result.status).toBe('refused')
    expect(result.plan?.refusals.map((r) => r.code)).toEqual(['INVALID_TABLE_NAME', 'INVALID_TABLE_NAME'])
    expect(result.plan?.sourceExists).toBe(false)
  })

  it('deleteRefusals: refused unless the source is in confirm-delete', async () => {
    const source = await sourceTable(4)
    const target = targetName()
    const unconfirmed = await plan({ source, target })
    expect(unconfirmed.plan.deleteRefusals).toHaveLength(1)
    expect(unconfirmed.plan.deleteRefusals[0]).toMatchObject({ code: 'DELETE_REFUSED' })
    expect(unconfirmed.plan.deleteRefusals[0]?.message).toContain(source)
    const confirmed = await plan({ source, target }, { confirmDelete: [source] })
    expect(confirmed.plan.deleteRefusals).toEqual([])
  })

  it('runMigrations in plan mode plans every pair and still writes nothing', async () => {
    const a = await sourceTable(5)
    const b = await sourceTable(6)
    const ta = targetName()
    const tb = targetName()
    const before = await tableStates(setup, [a, b, ta, tb])
    commands.length = 0
    const results = await runMigrations(testContext(recording), {
      mode: 'plan',
      pairs: [
        { source: a, target: ta },
        { source: b, target: tb }
      ],
      settings: settingsFor(backupDir)
    })
    expect(results.map((r) => [r.status, r.plan?.sourceItemCount, r.plan?.targetAction])).toEqual([
      ['planned', 5, 'create'],
      ['planned', 6, 'create']
    ])
    expect(commands.filter((name) => !READ_ONLY.test(name))).toEqual([])
    expect(await tableStates(setup, [a, b, ta, tb])).toEqual(before)
    expect(await manifestsUnder(backupDir)).toEqual([])
  })
})
