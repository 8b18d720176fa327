// The target's schema: created from the source's (keys, LSIs, GSIs, billing mode, throughput),
// or an existing one (IaC) checked against it, with a SCHEMA_MISMATCH / TARGET_MISSING refusal
// and nothing written when it does not fit.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { promises as fs } from 'node:fs'
import { DescribeTableCommand, ListTagsOfResourceCommand, TagResourceCommand, type CreateTableInput, type DynamoDBClient, type TableDescription } from '@aws-sdk/client-dynamodb'
import { migratePair } from '../../src/engine/migrate.js'
import { billingModeOf, createTableInputFrom } from '../../src/dynamo/table-schema.js'
import { MigrationError } from '../../src/errors.js'
import { localClient, orderItems, putItems, settingsFor, tempDir, uniqueName } from '../helpers/dynamo.js'
import { createTable, dropTables, manifestsUnder, recordCommands, tableStates, testContext } from './support.js'

/** Order-tracking keys plus an LSI (INCLUDE projection) and a GSI; billing given by the caller. */
function schemaWithLsi(name: string, billing: Partial<CreateTableInput>, overrides: Partial<CreateTableInput> = {}): CreateTableInput {
  const provisioned = billing.BillingMode === 'PROVISIONED'
  return {
    TableName: name,
    AttributeDefinitions: [
      { AttributeName: 'companyId', AttributeType: 'S' },
      { AttributeName: 'recordId', AttributeType: 'S' },
      { AttributeName: 'createdAt', AttributeType: 'S' },
      { AttributeName: 'status', AttributeType: 'S' }
    ],
    KeySchema: [
      { AttributeName: 'companyId', KeyType: 'HASH' },
      { AttributeName: 'recordId', KeyType: 'RANGE' }
    ],
    LocalSecondaryIndexes: [
      {
        IndexName: 'companyId-createdAt-lsi',
        KeySchema: [
          { AttributeName: 'companyId', KeyType: 'HASH' },
          { AttributeName: 'createdAt', KeyType: 'RANGE' }
        ],
        Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['amount', 'status'] }
      }
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: 'status-index',
        KeySchema: [
          { AttributeName: 'status', KeyType: 'HASH' },
          { AttributeName: 'createdAt', KeyType: 'RANGE' }
        ],
        Projection: { ProjectionType: 'KEYS_ONLY' },
        ...(provisioned ? { ProvisionedThroughput: { ReadCapacityUnits: 3, WriteCapacityUnits: 4 } } : {})
      }
    ],
    ...billing,
    ...overrides
  }
}

const PROVISIONED: Partial<CreateTableInput> = { BillingMode: 'PROVISIONED', ProvisionedThroughput: { ReadCapacityUnits: 11, WriteCapacityUnits: 7 } }
const ON_DEMAND: Partial<CreateTableInput> = { BillingMode: 'PAY_PER_REQUEST' }

/** What CreateTable would need to recreate a described table, without its name. */
function shape(description: TableDescription | undefined) {
  const input = createTableInputFrom(description as TableDescription, 'x')
  const byName = <T extends { IndexName?: string }>(list: T[] | undefined) => [...(list ?? [])].sort((a, b) => String(a.IndexName).localeCompare(String(b.IndexName)))
  const byAttr = <T extends { AttributeName?: string }>(list: T[] | undefined) => [...(list ?? [])].sort((a, b) => String(a.AttributeName).localeCompare(String(b.AttributeName)))
  return { ...input, AttributeDefinitions: byAttr(input.AttributeDefinitions), GlobalSecondaryIndexes: byName(input.GlobalSecondaryIndexes), LocalSecondaryIndexes: byName(input.LocalSecondaryIndexes) }
}

const servers: Array<[string, string | undefined]> = [
  ['dynalite', process.env.DYNALITE_ENDPOINT],
  ['DynamoDB Local', process.env.DYNAMODB_LOCAL_ENDPOINT]
]

describe.each(servers)('target created from the source schema (%s)', (label, endpoint) => {
  if (!endpoint) {
    it.skip(`skipped: ${label} is not running (DynamoDB Local needs a loopback-only network namespace; run npm test as root)`, () => {})
    return
  }
  let client: DynamoDBClient
  let backupDir: string
  const created: string[] = []
  beforeAll(async () => {
    client = localClient(endpoint)
    backupDir = await tempDir('ddb-schema-')
  })
  afterAll(async () => {
    await dropTables(client, created)
    client.destroy()
    await fs.rm(backupDir, { recursive: true, force: true })
  })

  it('a provisioned source with an LSI and a GSI gives a target with the same LSI, billing mode and RCU/WCU on table and GSI', async () => {
    const source = uniqueName('schema-prov-src')
    const target = uniqueName('schema-prov-dst')
    created.push(source, target)
    await createTable(client, schemaWithLsi(source, PROVISIONED))
    await putItems(client, source, orderItems(40))

    const result = await migratePair(testContext(client), { source, target }, settingsFor(backupDir))
    expect(result.status).toBe('verified')
    expect(result.itemsWritten).toBe(40)

    const s = (await client.send(new DescribeTableCommand({ TableName: source }))).Table
    const t = (await client.send(new DescribeTableCommand({ TableName: target }))).Table
    expect(billingModeOf(t as TableDescription)).toBe('PROVISIONED')
    expect(t?.ProvisionedThroughput).toMatchObject({ ReadCapacityUnits: 11, WriteCapacityUnits: 7 })
    expect(t?.GlobalSecondaryIndexes).toHaveLength(1)
    expect(t?.GlobalSecondaryIndexes?.[0]).toMatchObject({
      IndexName: 'status-index',
      KeySchema: [
        { AttributeName: 'status', KeyType: 'HASH' },
        { AttributeName: 'createdAt', KeyType: 'RANGE' }
      ],
      Projection: { ProjectionType: 'KEYS_ONLY' },
      ProvisionedThroughput: { ReadCapacityUnits: 3, WriteCapacityUnits: 4 }
    })
    expect(t?.LocalSecondaryIndexes).toHaveLength(1)
    expect(t?.LocalSecondaryIndexes?.[0]).toMatchObject({
      IndexName: 'companyId-createdAt-lsi',
      KeySchema: [
        { AttributeName: 'companyId', KeyType: 'HASH' },
        { AttributeName: 'createdAt', KeyType: 'RANGE' }
      ],
      Projection: { ProjectionType: 'INCLUDE' }
    })
    expect([...(t?.LocalSecondaryIndexes?.[0]?.Projection?.NonKeyAttributes ?? [])].sort()).toEqual(['amount', 'status'])
    // Everything CreateTable carries is the same on both sides.
    expect(shape(t)).toEqual(shape(s))
  })

  it('an on-demand source gives an on-demand target, with the same stream setting', async () => {
    const source = uniqueName('schema-ondemand-src')
    const target = uniqueName('schema-ondemand-dst')
    created.push(source, target)
    await createTable(client, schemaWithLsi(source, ON_DEMAND, { StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' } }))
    await putItems(client, source, orderItems(15))

    const result = await migratePair(testContext(client), { source, target }, settingsFor(backupDir))
    expect(result.status).toBe('verified')
    const s = (await client.send(new DescribeTableCommand({ TableName: source }))).Table
    const t = (await client.send(new DescribeTableCommand({ TableName: target }))).Table
    expect(billingModeOf(t as TableDescription)).toBe('PAY_PER_REQUEST')
    expect(t?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST')
    expect(shape(t).ProvisionedThroughput).toBeUndefined()
    expect(shape(t)).toEqual(shape(s))
    // dynalite has no streams (it ignores StreamSpecification); DynamoDB Local has them.
    expect(t?.StreamSpecification).toEqual(s?.StreamSpecification)
    if (label === 'DynamoDB Local') expect(t?.StreamSpecification).toEqual({ StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' })
  })
})

describe('existing targets (IaC) and refusals', () => {
  const client = localClient()
  const created: string[] = []
  const dirs: string[] = []
  afterAll(async () => {
    await dropTables(client, created)
    client.destroy()
    await Promise.all(dirs.map((d) => fs.rm(d, { recursive: true, force: true })))
  })

  async function pair(prefix: string, count = 20) {
    const source = uniqueName(`${prefix}-src`)
    const target = uniqueName(`${prefix}-dst`)
    created.push(source, target)
    await createTable(client, schemaWithLsi(source, PROVISIONED))
    await putItems(client, source, orderItems(count))
    const backupDir = await tempDir('ddb-schema-iac-')
    dirs.push(backupDir)
    return { source, target, backupDir }
  }

  it('uses an existing target with a matching schema (no CreateTable) and verifies it', async () => {
    const { source, target, backupDir } = await pair('schema-iac')
    await createTable(client, schemaWithLsi(target, PROVISIONED))
    const createdAt = (await client.send(new DescribeTableCommand({ TableName: target }))).Table?.CreationDateTime

    const recording = localClient()
    const commands = recordCommands(recording)
    try {
      // create-target 'never': the table must come from IaC, and it does.
      const result = await migratePair(testContext(recording), { source, target }, settingsFor(backupDir, { createTarget: 'never' }))
      expect(result.status).toBe('verified')
      expect(result.itemsWritten).toBe(20)
      // No schema difference at all (dynalite adds "could not read point-in-time recovery" notes).
      expect(result.warnings.filter((w) => w.includes('differs from'))).toEqual([])
    } finally {
      recording.destroy()
    }
    expect(commands).not.toContain('CreateTableCommand')
    expect(commands).not.toContain('DeleteTableCommand')
    expect(commands).toContain('BatchWriteItemCommand')
    expect((await client.send(new DescribeTableCommand({ TableName: target }))).Table?.CreationDateTime).toEqual(createdAt)
  })

  it('carries the tags of the source to the created target', async () => {
    const source = uniqueName('schema-tags-src')
    const target = uniqueName('schema-tags-dst')
    created.push(source, target)
    const backupDir = await tempDir('ddb-schema-tags-')
    dirs.push(backupDir)
    await createTable(client, schemaWithLsi(source, ON_DEMAND))
    const arn = (await client.send(new DescribeTableCommand({ TableName: source }))).Table?.TableArn
    const tags = [
      { Key: 'team', Value: 'orders' },
      { Key: 'env', Value: 'qa' }
    ]
    await client.send(new TagResourceCommand({ ResourceArn: arn, Tags: tags }))
    await putItems(client, source, orderItems(5))

    const result = await migratePair(testContext(client), { source, target }, settingsFor(backupDir))
    expect(result.status).toBe('verified')
    const t = (await client.send(new DescribeTableCommand({ TableName: target }))).Table
    const targetTags = (await client.send(new ListTagsOfResourceCommand({ ResourceArn: t?.TableArn }))).Tags ?? []
    const byKey = (list: { Key?: string }[]) => [...list].sort((a, b) => String(a.Key).localeCompare(String(b.Key)))
    expect(byKey(targetTags)).toEqual(byKey(tags))
  })

  it('uses an existing target whose only differences are safe (throughput), with a warning', async () => {
    const { source, target, backupDir } = await pair('schema-iac-warn', 5)
    await createTable(client, schemaWithLsi(target, { BillingMode: 'PROVISIONED', ProvisionedThroughput: { ReadCapacityUnits: 2, WriteCapacityUnits: 2 } }))
    const result = await migratePair(testContext(client), { source, target }, settingsFor(backupDir))
    expect(result.status).toBe('verified')
    expect(result.warnings.join('\n')).toMatch(/provisioned throughput: source 11\/7 RCU\/WCU, target 2\/2/)
  })

  const mismatches: Array<[string, (target: string) => CreateTableInput, RegExp]> = [
    [
      'a different primary key',
      (target) =>
        schemaWithLsi(target, PROVISIONED, {
          KeySchema: [
            { AttributeName: 'companyId', KeyType: 'HASH' },
            { AttributeName: 'createdAt', KeyType: 'RANGE' }
          ]
        }),
      /primary key: source companyId \(HASH, S\) \+ recordId \(RANGE, S\), target companyId \(HASH, S\) \+ createdAt \(RANGE, S\)/
    ],
    [
      'a key attribute of another type',
      (target) =>
        schemaWithLsi(target, PROVISIONED, {
          AttributeDefinitions: schemaWithLsi(target, PROVISIONED).AttributeDefinitions!.map((a) => (a.AttributeName === 'recordId' ? { ...a, AttributeType: 'N' } : a))
        }),
      /primary key: source companyId \(HASH, S\) \+ recordId \(RANGE, S\), target companyId \(HASH, S\) \+ recordId \(RANGE, N\)/
    ],
    ['a missing GSI', (target) => schemaWithLsi(target, PROVISIONED, { GlobalSecondaryIndexes: undefined }), /global secondary index status-index: missing on the target/],
    [
      'a different LSI',
      (target) => {
        const input = schemaWithLsi(target, PROVISIONED)
        input.LocalSecondaryIndexes = [{ ...input.LocalSecondaryIndexes![0]!, Projection: { ProjectionType: 'ALL' } }]
        return input
      },
      /local secondary index companyId-createdAt-lsi: projection source INCLUDE \[amount, status\], target ALL/
    ],
    [
      'an LSI under another name',
      (target) => {
        const input = schemaWithLsi(target, PROVISIONED)
        input.LocalSecondaryIndexes = [{ ...input.LocalSecondaryIndexes![0]!, IndexName: 'other-lsi' }]
        return input
      },
      /local secondary index companyId-createdAt-lsi: missing on the target[\s\S]*local secondary index other-lsi: on the target only/
    ]
  ]

  it.each(mismatches)('refuses an existing target with %s: SCHEMA_MISMATCH naming the difference, nothing written, no backup', async (_what, targetSchema, difference) => {
    const { source, target, backupDir } = await pair('schema-mismatch', 10)
    await createTable(client, targetSchema(target))
    const before = await tableStates(client, [source, target])

    const error = await migratePair(testContext(client), { source, target }, settingsFor(backupDir)).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(MigrationError)
    expect((error as MigrationError).code).toBe('SCHEMA_MISMATCH')
    expect((error as MigrationError).isRefusal).toBe(true)
    expect((error as MigrationError).message).toContain(target)
    expect((error as MigrationError).message).toMatch(difference)

    expect(await tableStates(client, [source, target])).toEqual(before)
    expect(before[target]).toEqual({ count: 0, digest: '0'.repeat(64) })
    expect(await manifestsUnder(backupDir)).toEqual([])
  })

  it('refuses with TARGET_MISSING when create-target is never and the target does not exist, creating nothing', async () => {
    const { source, target, backupDir } = await pair('schema-never', 5)
    const before = await tableStates(client, [source, target])
    expect(before[target]).toBe('missing')
    const error = await migratePair(testContext(client), { source, target }, settingsFor(backupDir, { createTarget: 'never' })).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(MigrationError)
    expect((error as MigrationError).code).toBe('TARGET_MISSING')
    expect((error as MigrationError).message).toContain(target)
    expect(await tableStates(client, [source, target])).toEqual(before)
    expect(await manifestsUnder(backupDir)).toEqual([])
  })
})
