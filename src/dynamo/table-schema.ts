import type {
  AttributeDefinition,
  CreateTableInput,
  GlobalSecondaryIndex,
  GlobalSecondaryIndexDescription,
  LocalSecondaryIndex,
  LocalSecondaryIndexDescription,
  Projection,
  TableDescription,
  Tag
} from '@aws-sdk/client-dynamodb'

/**
 * Everything needed to recreate a table under another name. The CreateTable part is built
 * from an allow-list of fields, never from DescribeTable's output minus read-only fields (the
 * bug that breaks other tools on LatestStreamArn, TableClassSummary, on-demand throughput...).
 * The manifest stores this object, so `createTable` can also be fed to
 * `aws dynamodb create-table --cli-input-json`.
 */
export interface TableSchema {
  createTable: CreateTableInput
  /** The TTL attribute, when TTL is enabled; null when off; undefined when unknown. */
  timeToLiveAttribute?: string | null
  /** Point-in-time recovery on/off; undefined when unknown. */
  pointInTimeRecovery?: boolean
  /** Tags; undefined when unknown. */
  tags?: Tag[]
}

export function createTableInputFrom(description: TableDescription, tableName: string): CreateTableInput {
  const provisioned = billingModeOf(description) === 'PROVISIONED'
  const input: CreateTableInput = {
    TableName: tableName,
    AttributeDefinitions: (description.AttributeDefinitions ?? []).map((a: AttributeDefinition) => ({ AttributeName: a.AttributeName, AttributeType: a.AttributeType })),
    KeySchema: (description.KeySchema ?? []).map((k) => ({ AttributeName: k.AttributeName, KeyType: k.KeyType })),
    BillingMode: provisioned ? 'PROVISIONED' : 'PAY_PER_REQUEST'
  }
  if (provisioned) {
    input.ProvisionedThroughput = {
      ReadCapacityUnits: description.ProvisionedThroughput?.ReadCapacityUnits ?? 1,
      WriteCapacityUnits: description.ProvisionedThroughput?.WriteCapacityUnits ?? 1
    }
  } else if (hasOnDemandLimit(description.OnDemandThroughput)) {
    input.OnDemandThroughput = { ...description.OnDemandThroughput }
  }
  const gsis = (description.GlobalSecondaryIndexes ?? []).map((g) => gsiFrom(g, provisioned))
  if (gsis.length) input.GlobalSecondaryIndexes = gsis
  const lsis = (description.LocalSecondaryIndexes ?? []).map(lsiFrom)
  if (lsis.length) input.LocalSecondaryIndexes = lsis
  if (description.StreamSpecification?.StreamEnabled) {
    input.StreamSpecification = { StreamEnabled: true, StreamViewType: description.StreamSpecification.StreamViewType }
  }
  const sse = description.SSEDescription
  if (sse && (sse.Status === 'ENABLED' || sse.Status === 'ENABLING') && sse.SSEType === 'KMS') {
    input.SSESpecification = { Enabled: true, SSEType: 'KMS', ...(sse.KMSMasterKeyArn ? { KMSMasterKeyId: sse.KMSMasterKeyArn } : {}) }
  }
  const tableClass = description.TableClassSummary?.TableClass
  if (tableClass && tableClass !== 'STANDARD') input.TableClass = tableClass
  // Sent only when on: some DynamoDB-compatible servers reject the field altogether.
  if (description.DeletionProtectionEnabled) input.DeletionProtectionEnabled = true
  return input
}

export function billingModeOf(description: TableDescription): 'PROVISIONED' | 'PAY_PER_REQUEST' {
  const mode = description.BillingModeSummary?.BillingMode
  if (mode === 'PAY_PER_REQUEST' || mode === 'PROVISIONED') return mode
  // Tables created before billing modes existed, and some local servers, only report throughput.
  return (description.ProvisionedThroughput?.ReadCapacityUnits ?? 0) > 0 ? 'PROVISIONED' : 'PAY_PER_REQUEST'
}

function hasOnDemandLimit(t: { MaxReadRequestUnits?: number; MaxWriteRequestUnits?: number } | undefined): boolean {
  return !!t && ((t.MaxReadRequestUnits ?? -1) > 0 || (t.MaxWriteRequestUnits ?? -1) > 0)
}

function projectionFrom(p: Projection | undefined): Projection {
  const projection: Projection = { ProjectionType: p?.ProjectionType ?? 'ALL' }
  if (p?.NonKeyAttributes?.length) projection.NonKeyAttributes = [...p.NonKeyAttributes]
  return projection
}

function gsiFrom(g: GlobalSecondaryIndexDescription, provisioned: boolean): GlobalSecondaryIndex {
  const index: GlobalSecondaryIndex = {
    IndexName: g.IndexName,
    KeySchema: (g.KeySchema ?? []).map((k) => ({ AttributeName: k.AttributeName, KeyType: k.KeyType })),
    Projection: projectionFrom(g.Projection)
  }
  if (provisioned) {
    index.ProvisionedThroughput = {
      ReadCapacityUnits: g.ProvisionedThroughput?.ReadCapacityUnits || 1,
      WriteCapacityUnits: g.ProvisionedThroughput?.WriteCapacityUnits || 1
    }
  } else if (hasOnDemandLimit(g.OnDemandThroughput)) {
    index.OnDemandThroughput = { ...g.OnDemandThroughput }
  }
  return index
}

function lsiFrom(l: LocalSecondaryIndexDescription): LocalSecondaryIndex {
  return {
    IndexName: l.IndexName,
    KeySchema: (l.KeySchema ?? []).map((k) => ({ AttributeName: k.AttributeName, KeyType: k.KeyType })),
    Projection: projectionFrom(l.Projection)
  }
}

/** The table's primary key attribute names, hash first. */
export function keyAttributes(input: Pick<CreateTableInput, 'KeySchema'>): string[] {
  const keys = input.KeySchema ?? []
  const hash = keys.find((k) => k.KeyType === 'HASH')?.AttributeName
  const range = keys.find((k) => k.KeyType === 'RANGE')?.AttributeName
  return [hash, range].filter((k): k is string => !!k)
}
