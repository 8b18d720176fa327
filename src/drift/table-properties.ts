import type {
  AttributeDefinition,
  BillingMode,
  CreateTableInput,
  GlobalSecondaryIndex,
  KeySchemaElement,
  LocalSecondaryIndex,
  Projection,
  ProvisionedThroughput,
  Tag
} from '@aws-sdk/client-dynamodb'
import { MigrationError } from '../errors.js'
import type { TableSchema } from '../dynamo/table-schema.js'
import { isRecord } from './template-file.js'

/**
 * The Properties of an `AWS::DynamoDB::Table` resource (intrinsics already evaluated) as the
 * TableSchema the rest of the engine uses, so a template table can be compared with a live
 * one by `diffSchemas`. CloudFormation's defaults apply: no BillingMode means PROVISIONED,
 * no TimeToLiveSpecification means TTL off, no PointInTimeRecoverySpecification means off.
 */
export function tableSchemaFromProperties(properties: unknown, file: string, where: string): TableSchema {
  const fail = (path: string, problem: string) => new MigrationError('INVALID_INPUT', `Template ${file}: ${where}.${path} ${problem}.`)
  const p = isRecord(properties) ? properties : {}
  const str = (value: unknown, path: string, required = true): string | undefined => {
    if (typeof value === 'string' && value) return value
    if (typeof value === 'number') return String(value)
    if (value === undefined && !required) return undefined
    throw fail(path, value === undefined ? 'is missing' : `is ${JSON.stringify(value)}, not a string`)
  }
  const num = (value: unknown, path: string): number => {
    const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() ? Number(value) : NaN
    if (!Number.isFinite(n)) throw fail(path, `is ${JSON.stringify(value)}, not a number`)
    return n
  }
  const list = (value: unknown, path: string, required = false): unknown[] => {
    if (Array.isArray(value)) return value
    if (value === undefined && !required) return []
    throw fail(path, value === undefined ? 'is missing' : 'is not a list')
  }
  const bool = (value: unknown) => value === true || value === 'true'
  const keySchema = (value: unknown, path: string): KeySchemaElement[] =>
    list(value, path, true).map((k, i) => {
      const e = isRecord(k) ? k : {}
      return { AttributeName: str(e.AttributeName, `${path}[${i}].AttributeName`), KeyType: str(e.KeyType, `${path}[${i}].KeyType`) as KeySchemaElement['KeyType'] }
    })
  const projection = (value: unknown, path: string): Projection => {
    const e = isRecord(value) ? value : {}
    const out: Projection = { ProjectionType: (str(e.ProjectionType, `${path}.ProjectionType`, false) ?? 'KEYS_ONLY') as Projection['ProjectionType'] }
    const nonKey = list(e.NonKeyAttributes, `${path}.NonKeyAttributes`).map((a, i) => str(a, `${path}.NonKeyAttributes[${i}]`) as string)
    if (nonKey.length) out.NonKeyAttributes = nonKey
    return out
  }
  const throughput = (value: unknown, path: string): ProvisionedThroughput => {
    const e = isRecord(value) ? value : {}
    return { ReadCapacityUnits: num(e.ReadCapacityUnits, `${path}.ReadCapacityUnits`), WriteCapacityUnits: num(e.WriteCapacityUnits, `${path}.WriteCapacityUnits`) }
  }
  const onDemand = (value: unknown, path: string) => {
    if (!isRecord(value)) return undefined
    const out: { MaxReadRequestUnits?: number; MaxWriteRequestUnits?: number } = {}
    if (value.MaxReadRequestUnits !== undefined) out.MaxReadRequestUnits = num(value.MaxReadRequestUnits, `${path}.MaxReadRequestUnits`)
    if (value.MaxWriteRequestUnits !== undefined) out.MaxWriteRequestUnits = num(value.MaxWriteRequestUnits, `${path}.MaxWriteRequestUnits`)
    return (out.MaxReadRequestUnits ?? -1) > 0 || (out.MaxWriteRequestUnits ?? -1) > 0 ? out : undefined
  }

  const billing = (str(p.BillingMode, 'BillingMode', false) ?? 'PROVISIONED') as BillingMode
  if (billing !== 'PROVISIONED' && billing !== 'PAY_PER_REQUEST') throw fail('BillingMode', `is ${billing}, not PROVISIONED or PAY_PER_REQUEST`)
  const provisioned = billing === 'PROVISIONED'
  const input: CreateTableInput = {
    TableName: str(p.TableName, 'TableName', false),
    AttributeDefinitions: list(p.AttributeDefinitions, 'AttributeDefinitions', true).map((a, i): AttributeDefinition => {
      const e = isRecord(a) ? a : {}
      return { AttributeName: str(e.AttributeName, `AttributeDefinitions[${i}].AttributeName`), AttributeType: str(e.AttributeType, `AttributeDefinitions[${i}].AttributeType`) as AttributeDefinition['AttributeType'] }
    }),
    KeySchema: keySchema(p.KeySchema, 'KeySchema'),
    BillingMode: billing
  }
  if (provisioned && p.ProvisionedThroughput !== undefined) input.ProvisionedThroughput = throughput(p.ProvisionedThroughput, 'ProvisionedThroughput')
  const tableOnDemand = provisioned ? undefined : onDemand(p.OnDemandThroughput, 'OnDemandThroughput')
  if (tableOnDemand) input.OnDemandThroughput = tableOnDemand
  const gsis = list(p.GlobalSecondaryIndexes, 'GlobalSecondaryIndexes').map((g, i): GlobalSecondaryIndex => {
    const path = `GlobalSecondaryIndexes[${i}]`
    const e = isRecord(g) ? g : {}
    const index: GlobalSecondaryIndex = { IndexName: str(e.IndexName, `${path}.IndexName`), KeySchema: keySchema(e.KeySchema, `${path}.KeySchema`), Projection: projection(e.Projection, `${path}.Projection`) }
    if (provisioned && e.ProvisionedThroughput !== undefined) index.ProvisionedThroughput = throughput(e.ProvisionedThroughput, `${path}.ProvisionedThroughput`)
    const indexOnDemand = provisioned ? undefined : onDemand(e.OnDemandThroughput, `${path}.OnDemandThroughput`)
    if (indexOnDemand) index.OnDemandThroughput = indexOnDemand
    return index
  })
  if (gsis.length) input.GlobalSecondaryIndexes = gsis
  const lsis = list(p.LocalSecondaryIndexes, 'LocalSecondaryIndexes').map((l, i): LocalSecondaryIndex => {
    const path = `LocalSecondaryIndexes[${i}]`
    const e = isRecord(l) ? l : {}
    return { IndexName: str(e.IndexName, `${path}.IndexName`), KeySchema: keySchema(e.KeySchema, `${path}.KeySchema`), Projection: projection(e.Projection, `${path}.Projection`) }
  })
  if (lsis.length) input.LocalSecondaryIndexes = lsis
  if (isRecord(p.StreamSpecification)) {
    input.StreamSpecification = { StreamEnabled: true, StreamViewType: str(p.StreamSpecification.StreamViewType, 'StreamSpecification.StreamViewType') as 'NEW_IMAGE' }
  }
  if (isRecord(p.SSESpecification) && bool(p.SSESpecification.SSEEnabled)) {
    const key = str(p.SSESpecification.KMSMasterKeyId, 'SSESpecification.KMSMasterKeyId', false)
    input.SSESpecification = { Enabled: true, SSEType: 'KMS', ...(key ? { KMSMasterKeyId: key } : {}) }
  }
  const tableClass = str(p.TableClass, 'TableClass', false)
  if (tableClass && tableClass !== 'STANDARD') input.TableClass = tableClass as CreateTableInput['TableClass']
  if (bool(p.DeletionProtectionEnabled)) input.DeletionProtectionEnabled = true
  if (input.TableName === undefined) delete input.TableName

  const ttl = isRecord(p.TimeToLiveSpecification) ? p.TimeToLiveSpecification : undefined
  const schema: TableSchema = {
    createTable: input,
    timeToLiveAttribute: ttl && bool(ttl.Enabled) ? (str(ttl.AttributeName, 'TimeToLiveSpecification.AttributeName') as string) : null,
    pointInTimeRecovery: isRecord(p.PointInTimeRecoverySpecification) && bool(p.PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled)
  }
  if (p.Tags !== undefined) {
    schema.tags = list(p.Tags, 'Tags').map((t, i): Tag => {
      const e = isRecord(t) ? t : {}
      return { Key: str(e.Key, `Tags[${i}].Key`), Value: typeof e.Value === 'string' ? e.Value : String(e.Value ?? '') }
    })
  }
  return schema
}
