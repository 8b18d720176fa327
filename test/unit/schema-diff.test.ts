import { describe, expect, it } from '@jest/globals'
import type { CreateTableInput } from '@aws-sdk/client-dynamodb'
import { diffSchemas } from '../../src/dynamo/schema-diff.js'
import type { TableSchema } from '../../src/dynamo/table-schema.js'

function baseTable(name: string): CreateTableInput {
  return {
    TableName: name,
    AttributeDefinitions: [
      { AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'sk', AttributeType: 'N' },
      { AttributeName: 'gpk', AttributeType: 'S' },
      { AttributeName: 'lsk', AttributeType: 'S' }
    ],
    KeySchema: [
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' }
    ],
    BillingMode: 'PAY_PER_REQUEST',
    GlobalSecondaryIndexes: [
      {
        IndexName: 'gsi1',
        KeySchema: [
          { AttributeName: 'gpk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' }
        ],
        Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['a', 'b'] }
      }
    ],
    LocalSecondaryIndexes: [
      {
        IndexName: 'lsi1',
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'lsk', KeyType: 'RANGE' }
        ],
        Projection: { ProjectionType: 'KEYS_ONLY' }
      }
    ]
  }
}

function schema(change: (t: CreateTableInput) => void = () => {}, extra: Omit<TableSchema, 'createTable'> = {}): TableSchema {
  const createTable = baseTable('t')
  change(createTable)
  return { createTable, ...extra }
}

const source = () => schema()

describe('diffSchemas', () => {
  it('finds no difference between identical schemas', () => {
    expect(diffSchemas(source(), source())).toEqual({ blocking: [], warnings: [] })
  })

  it('ignores the table name', () => {
    expect(diffSchemas(source(), schema((t) => (t.TableName = 'other')))).toEqual({ blocking: [], warnings: [] })
  })

  it('ignores the order of key schema elements and of INCLUDE attributes', () => {
    const target = schema((t) => {
      t.KeySchema = [...(t.KeySchema ?? [])].reverse()
      t.GlobalSecondaryIndexes![0]!.Projection = { ProjectionType: 'INCLUDE', NonKeyAttributes: ['b', 'a'] }
      t.AttributeDefinitions = [...(t.AttributeDefinitions ?? [])].reverse()
    })
    expect(diffSchemas(source(), target)).toEqual({ blocking: [], warnings: [] })
  })

  it('treats a missing projection as ALL', () => {
    const a = schema((t) => (t.GlobalSecondaryIndexes![0]!.Projection = undefined))
    const b = schema((t) => (t.GlobalSecondaryIndexes![0]!.Projection = { ProjectionType: 'ALL' }))
    expect(diffSchemas(a, b).blocking).toEqual([])
  })

  describe('blocking', () => {
    it('reports a different primary key', () => {
      const target = schema((t) => (t.KeySchema = [{ AttributeName: 'pk', KeyType: 'HASH' }]))
      const diff = diffSchemas(source(), target)
      expect(diff.blocking).toHaveLength(1)
      expect(diff.blocking[0]).toMatch(/^primary key: source pk \(HASH, S\) \+ sk \(RANGE, N\), target pk \(HASH, S\)$/)
    })

    it('reports a swapped hash and range key', () => {
      const target = schema(
        (t) =>
          (t.KeySchema = [
            { AttributeName: 'sk', KeyType: 'HASH' },
            { AttributeName: 'pk', KeyType: 'RANGE' }
          ])
      )
      expect(diffSchemas(source(), target).blocking).toEqual([expect.stringContaining('primary key')])
    })

    it('reports a different key attribute type', () => {
      const target = schema((t) => (t.AttributeDefinitions![1] = { AttributeName: 'sk', AttributeType: 'S' }))
      const diff = diffSchemas(source(), target)
      expect(diff.blocking).toContain('primary key: source pk (HASH, S) + sk (RANGE, N), target pk (HASH, S) + sk (RANGE, S)')
    })

    it('reports a GSI missing on the target', () => {
      const target = schema((t) => delete t.GlobalSecondaryIndexes)
      expect(diffSchemas(source(), target)).toEqual({ blocking: ['global secondary index gsi1: missing on the target'], warnings: [] })
    })

    it('reports a different GSI key', () => {
      const target = schema((t) => (t.GlobalSecondaryIndexes![0]!.KeySchema = [{ AttributeName: 'gpk', KeyType: 'HASH' }]))
      expect(diffSchemas(source(), target).blocking).toEqual([expect.stringMatching(/^global secondary index gsi1: key source .+, target gpk \(HASH, S\)$/)])
    })

    it('reports a different GSI key attribute type', () => {
      const target = schema((t) => (t.AttributeDefinitions![2] = { AttributeName: 'gpk', AttributeType: 'N' }))
      expect(diffSchemas(source(), target).blocking).toEqual([expect.stringContaining('global secondary index gsi1: key')])
    })

    it('reports a different GSI projection type', () => {
      const target = schema((t) => (t.GlobalSecondaryIndexes![0]!.Projection = { ProjectionType: 'ALL' }))
      expect(diffSchemas(source(), target).blocking).toEqual(['global secondary index gsi1: projection source INCLUDE [a, b], target ALL'])
    })

    it('reports different GSI projected attributes', () => {
      const target = schema((t) => (t.GlobalSecondaryIndexes![0]!.Projection = { ProjectionType: 'INCLUDE', NonKeyAttributes: ['a'] }))
      expect(diffSchemas(source(), target).blocking).toEqual(['global secondary index gsi1: projection source INCLUDE [a, b], target INCLUDE [a]'])
    })

    it('reports an LSI missing on the target', () => {
      const target = schema((t) => delete t.LocalSecondaryIndexes)
      expect(diffSchemas(source(), target).blocking).toEqual(['local secondary index lsi1: missing on the target'])
    })

    it('reports an LSI on the target only', () => {
      const target = schema((t) => t.LocalSecondaryIndexes!.push({ ...t.LocalSecondaryIndexes![0]!, IndexName: 'lsi2' }))
      expect(diffSchemas(source(), target).blocking).toEqual(['local secondary index lsi2: on the target only'])
    })

    it('reports a different LSI key or projection', () => {
      const target = schema((t) => {
        t.LocalSecondaryIndexes![0]!.KeySchema = [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'gpk', KeyType: 'RANGE' }
        ]
        t.LocalSecondaryIndexes![0]!.Projection = { ProjectionType: 'ALL' }
      })
      const diff = diffSchemas(source(), target)
      expect(diff.blocking).toEqual([
        expect.stringMatching(/^local secondary index lsi1: key source .*lsk.*, target .*gpk/),
        'local secondary index lsi1: projection source KEYS_ONLY, target ALL'
      ])
      expect(diff.warnings).toEqual([])
    })

    it('reports every blocking difference at once', () => {
      const target = schema((t) => {
        t.KeySchema = [{ AttributeName: 'pk', KeyType: 'HASH' }]
        delete t.GlobalSecondaryIndexes
        delete t.LocalSecondaryIndexes
      })
      expect(diffSchemas(source(), target).blocking).toHaveLength(3)
    })
  })

  describe('warnings', () => {
    it('warns about a different billing mode', () => {
      const target = schema((t) => {
        t.BillingMode = 'PROVISIONED'
        t.ProvisionedThroughput = { ReadCapacityUnits: 5, WriteCapacityUnits: 5 }
      })
      expect(diffSchemas(source(), target)).toEqual({ blocking: [], warnings: ['billing mode: source PAY_PER_REQUEST, target PROVISIONED'] })
    })

    it('warns about different provisioned throughput', () => {
      const provisioned = (rcu: number, wcu: number) =>
        schema((t) => {
          t.BillingMode = 'PROVISIONED'
          t.ProvisionedThroughput = { ReadCapacityUnits: rcu, WriteCapacityUnits: wcu }
        })
      expect(diffSchemas(provisioned(5, 5), provisioned(5, 5)).warnings).toEqual([])
      expect(diffSchemas(provisioned(5, 5), provisioned(10, 5))).toEqual({ blocking: [], warnings: ['provisioned throughput: source 5/5 RCU/WCU, target 10/5'] })
    })

    it('warns about a different stream', () => {
      const streamed = schema((t) => (t.StreamSpecification = { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' }))
      expect(diffSchemas(streamed, source())).toEqual({ blocking: [], warnings: ['stream: source NEW_IMAGE, target off'] })
      const other = schema((t) => (t.StreamSpecification = { StreamEnabled: true, StreamViewType: 'KEYS_ONLY' }))
      expect(diffSchemas(streamed, other).warnings).toEqual(['stream: source NEW_IMAGE, target KEYS_ONLY'])
    })

    it('treats a disabled stream like no stream', () => {
      const disabled = schema((t) => (t.StreamSpecification = { StreamEnabled: false }))
      expect(diffSchemas(disabled, source()).warnings).toEqual([])
    })

    it('warns about a different table class, STANDARD being the default', () => {
      const ia = schema((t) => (t.TableClass = 'STANDARD_INFREQUENT_ACCESS'))
      expect(diffSchemas(ia, source()).warnings).toEqual(['table class: source STANDARD_INFREQUENT_ACCESS, target STANDARD'])
      expect(diffSchemas(schema((t) => (t.TableClass = 'STANDARD')), source()).warnings).toEqual([])
    })

    it('warns about different encryption and deletion protection', () => {
      const guarded = schema((t) => {
        t.SSESpecification = { Enabled: true, SSEType: 'KMS' }
        t.DeletionProtectionEnabled = true
      })
      expect(diffSchemas(guarded, source())).toEqual({
        blocking: [],
        warnings: ['encryption: source KMS, target AWS owned key', 'deletion protection: source on, target off']
      })
    })

    it('warns about a different TTL attribute, or TTL on one side only', () => {
      expect(diffSchemas(schema(undefined, { timeToLiveAttribute: 'expiresAt' }), schema(undefined, { timeToLiveAttribute: 'ttl' })).warnings).toEqual([
        'time to live: source expiresAt, target ttl'
      ])
      expect(diffSchemas(schema(undefined, { timeToLiveAttribute: 'expiresAt' }), schema(undefined, { timeToLiveAttribute: null })).warnings).toEqual([
        'time to live: source expiresAt, target off'
      ])
    })

    it('says nothing about TTL when one side is unknown', () => {
      expect(diffSchemas(schema(undefined, { timeToLiveAttribute: 'expiresAt' }), schema()).warnings).toEqual([])
      expect(diffSchemas(schema(undefined, { timeToLiveAttribute: 'x' }), schema(undefined, { timeToLiveAttribute: 'x' })).warnings).toEqual([])
    })

    it('warns about different point-in-time recovery, unless unknown', () => {
      expect(diffSchemas(schema(undefined, { pointInTimeRecovery: true }), schema(undefined, { pointInTimeRecovery: false })).warnings).toEqual([
        'point-in-time recovery: source on, target off'
      ])
      expect(diffSchemas(schema(undefined, { pointInTimeRecovery: true }), schema()).warnings).toEqual([])
    })

    it('warns about different tags, in any order, unless unknown', () => {
      const a = schema(undefined, { tags: [{ Key: 'team', Value: 'core' }, { Key: 'env', Value: 'qa' }] })
      const sameReordered = schema(undefined, { tags: [{ Key: 'env', Value: 'qa' }, { Key: 'team', Value: 'core' }] })
      const other = schema(undefined, { tags: [{ Key: 'env', Value: 'prod' }] })
      expect(diffSchemas(a, sameReordered).warnings).toEqual([])
      expect(diffSchemas(a, other).warnings).toEqual(['tags: source {env=qa, team=core}, target {env=prod}'])
      expect(diffSchemas(a, schema()).warnings).toEqual([])
    })

    it('warns, without blocking, about a GSI on the target only', () => {
      const target = schema((t) =>
        t.GlobalSecondaryIndexes!.push({
          IndexName: 'gsi2',
          KeySchema: [{ AttributeName: 'lsk', KeyType: 'HASH' }],
          Projection: { ProjectionType: 'KEYS_ONLY' }
        })
      )
      expect(diffSchemas(source(), target)).toEqual({ blocking: [], warnings: ['global secondary index gsi2: on the target only'] })
    })

    it('keeps warnings apart from blocking differences', () => {
      const target = schema(
        (t) => {
          t.KeySchema = [{ AttributeName: 'pk', KeyType: 'HASH' }]
          t.TableClass = 'STANDARD_INFREQUENT_ACCESS'
        },
        { pointInTimeRecovery: false }
      )
      const diff = diffSchemas(schema(undefined, { pointInTimeRecovery: true }), target)
      expect(diff.blocking).toEqual([expect.stringContaining('primary key')])
      expect(diff.warnings).toEqual(['table class: source STANDARD, target STANDARD_INFREQUENT_ACCESS', 'point-in-time recovery: source on, target off'])
    })
  })
})
