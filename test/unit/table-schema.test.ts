import { describe, expect, it } from '@jest/globals'
import type { CreateTableInput, TableDescription } from '@aws-sdk/client-dynamodb'
import { billingModeOf, createTableInputFrom, keyAttributes } from '../../src/dynamo/table-schema.js'

const NOW = new Date('2024-05-01T12:00:00Z')

/** A DescribeTable output as AWS returns it for an on-demand table, read-only fields included. */
function onDemandDescription(): TableDescription {
  return {
    TableName: 'orders',
    TableArn: 'arn:aws:dynamodb:us-east-1:123456789012:table/orders',
    TableId: '0a1b2c3d-0000-1111-2222-333344445555',
    TableStatus: 'ACTIVE',
    CreationDateTime: NOW,
    ItemCount: 1234,
    TableSizeBytes: 567890,
    AttributeDefinitions: [
      { AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'sk', AttributeType: 'N' },
      { AttributeName: 'gsi1pk', AttributeType: 'S' },
      { AttributeName: 'lsi1sk', AttributeType: 'B' }
    ],
    KeySchema: [
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' }
    ],
    BillingModeSummary: { BillingMode: 'PAY_PER_REQUEST', LastUpdateToPayPerRequestDateTime: NOW },
    ProvisionedThroughput: { NumberOfDecreasesToday: 0, ReadCapacityUnits: 0, WriteCapacityUnits: 0 },
    OnDemandThroughput: { MaxReadRequestUnits: -1, MaxWriteRequestUnits: -1 },
    WarmThroughput: { ReadUnitsPerSecond: 12000, WriteUnitsPerSecond: 4000, Status: 'ACTIVE' },
    GlobalSecondaryIndexes: [
      {
        IndexName: 'gsi1',
        KeySchema: [
          { AttributeName: 'gsi1pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' }
        ],
        Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['status', 'total'] },
        IndexStatus: 'ACTIVE',
        Backfilling: false,
        IndexArn: 'arn:aws:dynamodb:us-east-1:123456789012:table/orders/index/gsi1',
        IndexSizeBytes: 1000,
        ItemCount: 10,
        ProvisionedThroughput: { NumberOfDecreasesToday: 0, ReadCapacityUnits: 0, WriteCapacityUnits: 0 },
        OnDemandThroughput: { MaxReadRequestUnits: -1, MaxWriteRequestUnits: -1 },
        WarmThroughput: { ReadUnitsPerSecond: 12000, WriteUnitsPerSecond: 4000, Status: 'ACTIVE' }
      }
    ],
    LocalSecondaryIndexes: [
      {
        IndexName: 'lsi1',
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'lsi1sk', KeyType: 'RANGE' }
        ],
        Projection: { ProjectionType: 'KEYS_ONLY' },
        IndexArn: 'arn:aws:dynamodb:us-east-1:123456789012:table/orders/index/lsi1',
        IndexSizeBytes: 10,
        ItemCount: 1
      }
    ],
    StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
    LatestStreamLabel: '2024-05-01T12:00:00.000',
    LatestStreamArn: 'arn:aws:dynamodb:us-east-1:123456789012:table/orders/stream/2024-05-01T12:00:00.000',
    SSEDescription: {
      Status: 'ENABLED',
      SSEType: 'KMS',
      KMSMasterKeyArn: 'arn:aws:kms:us-east-1:123456789012:key/abcd-1234'
    },
    TableClassSummary: { TableClass: 'STANDARD_INFREQUENT_ACCESS', LastUpdateDateTime: NOW },
    DeletionProtectionEnabled: true,
    Replicas: [{ RegionName: 'eu-west-1', ReplicaStatus: 'ACTIVE' }],
    GlobalTableVersion: '2019.11.21',
    RestoreSummary: { SourceTableArn: 'arn:aws:dynamodb:us-east-1:123456789012:table/old', RestoreDateTime: NOW, RestoreInProgress: false },
    ArchivalSummary: { ArchivalReason: 'none' }
  }
}

/** A provisioned table, read-only throughput fields included, with a GSI and no extras. */
function provisionedDescription(): TableDescription {
  return {
    TableName: 'users',
    TableArn: 'arn:aws:dynamodb:us-east-1:123456789012:table/users',
    TableStatus: 'ACTIVE',
    CreationDateTime: NOW,
    ItemCount: 5,
    TableSizeBytes: 500,
    AttributeDefinitions: [
      { AttributeName: 'id', AttributeType: 'S' },
      { AttributeName: 'email', AttributeType: 'S' }
    ],
    KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
    BillingModeSummary: { BillingMode: 'PROVISIONED' },
    ProvisionedThroughput: {
      ReadCapacityUnits: 7,
      WriteCapacityUnits: 3,
      NumberOfDecreasesToday: 2,
      LastIncreaseDateTime: NOW,
      LastDecreaseDateTime: NOW
    },
    OnDemandThroughput: { MaxReadRequestUnits: -1, MaxWriteRequestUnits: -1 },
    GlobalSecondaryIndexes: [
      {
        IndexName: 'by-email',
        KeySchema: [{ AttributeName: 'email', KeyType: 'HASH' }],
        Projection: { ProjectionType: 'ALL' },
        IndexStatus: 'ACTIVE',
        IndexArn: 'arn:aws:dynamodb:us-east-1:123456789012:table/users/index/by-email',
        IndexSizeBytes: 100,
        ItemCount: 5,
        ProvisionedThroughput: { ReadCapacityUnits: 4, WriteCapacityUnits: 2, NumberOfDecreasesToday: 1, LastIncreaseDateTime: NOW }
      }
    ],
    SSEDescription: { Status: 'DISABLED' },
    DeletionProtectionEnabled: false
  }
}

const CREATE_TABLE_FIELDS = [
  'TableName',
  'AttributeDefinitions',
  'KeySchema',
  'BillingMode',
  'ProvisionedThroughput',
  'OnDemandThroughput',
  'GlobalSecondaryIndexes',
  'LocalSecondaryIndexes',
  'StreamSpecification',
  'SSESpecification',
  'TableClass',
  'DeletionProtectionEnabled',
  'Tags',
  'WarmThroughput',
  'ResourcePolicy'
]
const GSI_FIELDS = ['IndexName', 'KeySchema', 'Projection', 'ProvisionedThroughput', 'OnDemandThroughput', 'WarmThroughput']
const LSI_FIELDS = ['IndexName', 'KeySchema', 'Projection']
const READ_ONLY = [
  'TableArn',
  'TableId',
  'TableStatus',
  'CreationDateTime',
  'ItemCount',
  'TableSizeBytes',
  'BillingModeSummary',
  'LatestStreamArn',
  'LatestStreamLabel',
  'SSEDescription',
  'TableClassSummary',
  'Replicas',
  'GlobalTableVersion',
  'RestoreSummary',
  'ArchivalSummary',
  'IndexStatus',
  'IndexArn',
  'IndexSizeBytes',
  'Backfilling',
  'NumberOfDecreasesToday',
  'LastIncreaseDateTime',
  'LastDecreaseDateTime',
  'LastUpdateToPayPerRequestDateTime',
  'KMSMasterKeyArn',
  'Status'
]

/** Every property name anywhere in a JSON value. */
function allKeys(value: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const v of value) allKeys(v, out)
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      out.add(k)
      allKeys(v, out)
    }
  }
  return out
}

function expectOnlyCreateTableFields(input: CreateTableInput): void {
  for (const key of Object.keys(input)) expect(CREATE_TABLE_FIELDS).toContain(key)
  for (const g of input.GlobalSecondaryIndexes ?? []) for (const key of Object.keys(g)) expect(GSI_FIELDS).toContain(key)
  for (const l of input.LocalSecondaryIndexes ?? []) for (const key of Object.keys(l)) expect(LSI_FIELDS).toContain(key)
  const keys = allKeys(input)
  for (const field of READ_ONLY) expect(keys.has(field)).toBe(false)
}

describe('createTableInputFrom', () => {
  it('keeps only allow-listed CreateTable fields from a full on-demand description', () => {
    const input = createTableInputFrom(onDemandDescription(), 'orders-v2')
    expectOnlyCreateTableFields(input)
    expect(JSON.stringify(input)).not.toContain('arn:aws:dynamodb')
  })

  it('keeps only allow-listed CreateTable fields from a provisioned description', () => {
    expectOnlyCreateTableFields(createTableInputFrom(provisionedDescription(), 'users-v2'))
  })

  it('names the table with the new name', () => {
    expect(createTableInputFrom(onDemandDescription(), 'orders-v2').TableName).toBe('orders-v2')
  })

  it('copies key schema and attribute definitions', () => {
    const input = createTableInputFrom(onDemandDescription(), 'orders-v2')
    expect(input.KeySchema).toEqual([
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' }
    ])
    expect(input.AttributeDefinitions).toEqual(onDemandDescription().AttributeDefinitions)
  })

  it('gives an on-demand table PAY_PER_REQUEST and no provisioned throughput', () => {
    const input = createTableInputFrom(onDemandDescription(), 'orders-v2')
    expect(input.BillingMode).toBe('PAY_PER_REQUEST')
    expect(input).not.toHaveProperty('ProvisionedThroughput')
    for (const g of input.GlobalSecondaryIndexes ?? []) expect(g).not.toHaveProperty('ProvisionedThroughput')
  })

  it('drops on-demand throughput of -1 (no limit) on the table and its indexes', () => {
    const input = createTableInputFrom(onDemandDescription(), 'orders-v2')
    expect(input).not.toHaveProperty('OnDemandThroughput')
    expect(input.GlobalSecondaryIndexes?.[0]).not.toHaveProperty('OnDemandThroughput')
  })

  it('keeps a real on-demand throughput limit', () => {
    const description = onDemandDescription()
    description.OnDemandThroughput = { MaxReadRequestUnits: 500, MaxWriteRequestUnits: 200 }
    description.GlobalSecondaryIndexes![0]!.OnDemandThroughput = { MaxReadRequestUnits: 100, MaxWriteRequestUnits: 50 }
    const input = createTableInputFrom(description, 'orders-v2')
    expect(input.OnDemandThroughput).toEqual({ MaxReadRequestUnits: 500, MaxWriteRequestUnits: 200 })
    expect(input.GlobalSecondaryIndexes?.[0]?.OnDemandThroughput).toEqual({ MaxReadRequestUnits: 100, MaxWriteRequestUnits: 50 })
  })

  it('keeps RCU/WCU of a provisioned table and of its GSIs', () => {
    const input = createTableInputFrom(provisionedDescription(), 'users-v2')
    expect(input.BillingMode).toBe('PROVISIONED')
    expect(input.ProvisionedThroughput).toEqual({ ReadCapacityUnits: 7, WriteCapacityUnits: 3 })
    expect(input.GlobalSecondaryIndexes).toEqual([
      {
        IndexName: 'by-email',
        KeySchema: [{ AttributeName: 'email', KeyType: 'HASH' }],
        Projection: { ProjectionType: 'ALL' },
        ProvisionedThroughput: { ReadCapacityUnits: 4, WriteCapacityUnits: 2 }
      }
    ])
  })

  it('gives a provisioned GSI without throughput the minimum of 1/1', () => {
    const description = provisionedDescription()
    description.GlobalSecondaryIndexes![0]!.ProvisionedThroughput = { ReadCapacityUnits: 0, WriteCapacityUnits: 0 }
    const input = createTableInputFrom(description, 'users-v2')
    expect(input.GlobalSecondaryIndexes?.[0]?.ProvisionedThroughput).toEqual({ ReadCapacityUnits: 1, WriteCapacityUnits: 1 })
  })

  it('copies GSI and LSI key schemas and projections', () => {
    const input = createTableInputFrom(onDemandDescription(), 'orders-v2')
    expect(input.GlobalSecondaryIndexes).toEqual([
      {
        IndexName: 'gsi1',
        KeySchema: [
          { AttributeName: 'gsi1pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' }
        ],
        Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['status', 'total'] }
      }
    ])
    expect(input.LocalSecondaryIndexes).toEqual([
      {
        IndexName: 'lsi1',
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'lsi1sk', KeyType: 'RANGE' }
        ],
        Projection: { ProjectionType: 'KEYS_ONLY' }
      }
    ])
  })

  it('leaves out index lists when the table has no indexes', () => {
    const description = provisionedDescription()
    delete description.GlobalSecondaryIndexes
    const input = createTableInputFrom(description, 'users-v2')
    expect(input).not.toHaveProperty('GlobalSecondaryIndexes')
    expect(input).not.toHaveProperty('LocalSecondaryIndexes')
  })

  it('keeps SSE with the KMS key', () => {
    expect(createTableInputFrom(onDemandDescription(), 'orders-v2').SSESpecification).toEqual({
      Enabled: true,
      SSEType: 'KMS',
      KMSMasterKeyId: 'arn:aws:kms:us-east-1:123456789012:key/abcd-1234'
    })
  })

  it('leaves out SSE when the table uses the AWS owned key', () => {
    expect(createTableInputFrom(provisionedDescription(), 'users-v2')).not.toHaveProperty('SSESpecification')
  })

  it('keeps the stream view type but not the stream ARN or label', () => {
    const input = createTableInputFrom(onDemandDescription(), 'orders-v2')
    expect(input.StreamSpecification).toEqual({ StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' })
  })

  it('leaves out a disabled stream', () => {
    const description = onDemandDescription()
    description.StreamSpecification = { StreamEnabled: false }
    expect(createTableInputFrom(description, 'orders-v2')).not.toHaveProperty('StreamSpecification')
  })

  it('keeps a non-standard table class and leaves out STANDARD', () => {
    expect(createTableInputFrom(onDemandDescription(), 'orders-v2').TableClass).toBe('STANDARD_INFREQUENT_ACCESS')
    const description = onDemandDescription()
    description.TableClassSummary = { TableClass: 'STANDARD' }
    expect(createTableInputFrom(description, 'orders-v2')).not.toHaveProperty('TableClass')
  })

  it('sends deletion protection only when it is on', () => {
    expect(createTableInputFrom(onDemandDescription(), 'orders-v2').DeletionProtectionEnabled).toBe(true)
    expect(createTableInputFrom(provisionedDescription(), 'users-v2')).not.toHaveProperty('DeletionProtectionEnabled')
  })

  it('does not share arrays with the description', () => {
    const description = onDemandDescription()
    const input = createTableInputFrom(description, 'orders-v2')
    input.GlobalSecondaryIndexes![0]!.Projection!.NonKeyAttributes!.push('extra')
    expect(description.GlobalSecondaryIndexes![0]!.Projection!.NonKeyAttributes).toEqual(['status', 'total'])
  })
})

describe('billingModeOf', () => {
  it('reads the billing mode summary', () => {
    expect(billingModeOf(onDemandDescription())).toBe('PAY_PER_REQUEST')
    expect(billingModeOf(provisionedDescription())).toBe('PROVISIONED')
  })

  it('falls back to throughput when there is no summary', () => {
    expect(billingModeOf({ ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 } })).toBe('PROVISIONED')
    expect(billingModeOf({ ProvisionedThroughput: { ReadCapacityUnits: 0, WriteCapacityUnits: 0 } })).toBe('PAY_PER_REQUEST')
    expect(billingModeOf({})).toBe('PAY_PER_REQUEST')
  })
})

describe('keyAttributes', () => {
  it('lists the hash key first, then the range key', () => {
    expect(
      keyAttributes({
        KeySchema: [
          { AttributeName: 'sk', KeyType: 'RANGE' },
          { AttributeName: 'pk', KeyType: 'HASH' }
        ]
      })
    ).toEqual(['pk', 'sk'])
  })

  it('lists only the hash key of a hash-only table', () => {
    expect(keyAttributes({ KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }] })).toEqual(['id'])
    expect(keyAttributes({})).toEqual([])
  })
})
