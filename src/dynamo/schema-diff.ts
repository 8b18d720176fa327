import type { CreateTableInput, KeySchemaElement, Projection } from '@aws-sdk/client-dynamodb'
import type { TableSchema } from './table-schema.js'

/**
 * Differences between the schema a migration needs (the source's) and an existing target's.
 * `blocking` ones break the copy or the application reading the new table (keys, key types,
 * indexes); `warnings` are worth knowing but safe (billing, throughput, TTL, tags, streams).
 */
export interface SchemaDiff {
  blocking: string[]
  warnings: string[]
}

export function diffSchemas(source: TableSchema, target: TableSchema): SchemaDiff {
  const blocking: string[] = []
  const warnings: string[] = []
  const s = source.createTable
  const t = target.createTable
  const sTypes = attributeTypes(s)
  const tTypes = attributeTypes(t)

  const sKey = describeKey(s.KeySchema, sTypes)
  const tKey = describeKey(t.KeySchema, tTypes)
  if (sKey !== tKey) blocking.push(`primary key: source ${sKey}, target ${tKey}`)

  const sLsi = indexMap(s.LocalSecondaryIndexes)
  const tLsi = indexMap(t.LocalSecondaryIndexes)
  for (const [name, index] of sLsi) {
    const other = tLsi.get(name)
    if (!other) blocking.push(`local secondary index ${name}: missing on the target`)
    else compareIndex('local secondary index', name, index, other, sTypes, tTypes, blocking)
  }
  for (const name of tLsi.keys()) if (!sLsi.has(name)) blocking.push(`local secondary index ${name}: on the target only`)

  const sGsi = indexMap(s.GlobalSecondaryIndexes)
  const tGsi = indexMap(t.GlobalSecondaryIndexes)
  for (const [name, index] of sGsi) {
    const other = tGsi.get(name)
    if (!other) blocking.push(`global secondary index ${name}: missing on the target`)
    else compareIndex('global secondary index', name, index, other, sTypes, tTypes, blocking)
  }
  for (const name of tGsi.keys()) if (!sGsi.has(name)) warnings.push(`global secondary index ${name}: on the target only`)

  if (s.BillingMode !== t.BillingMode) warnings.push(`billing mode: source ${s.BillingMode}, target ${t.BillingMode}`)
  else if (s.BillingMode === 'PROVISIONED') {
    const sp = s.ProvisionedThroughput
    const tp = t.ProvisionedThroughput
    if (sp?.ReadCapacityUnits !== tp?.ReadCapacityUnits || sp?.WriteCapacityUnits !== tp?.WriteCapacityUnits) {
      warnings.push(`provisioned throughput: source ${sp?.ReadCapacityUnits}/${sp?.WriteCapacityUnits} RCU/WCU, target ${tp?.ReadCapacityUnits}/${tp?.WriteCapacityUnits}`)
    }
  }
  const sStream = s.StreamSpecification?.StreamEnabled ? s.StreamSpecification.StreamViewType : 'off'
  const tStream = t.StreamSpecification?.StreamEnabled ? t.StreamSpecification.StreamViewType : 'off'
  if (sStream !== tStream) warnings.push(`stream: source ${sStream}, target ${tStream}`)
  if ((s.TableClass ?? 'STANDARD') !== (t.TableClass ?? 'STANDARD')) warnings.push(`table class: source ${s.TableClass ?? 'STANDARD'}, target ${t.TableClass ?? 'STANDARD'}`)
  if (!!s.SSESpecification?.Enabled !== !!t.SSESpecification?.Enabled) warnings.push(`encryption: source ${s.SSESpecification?.Enabled ? 'KMS' : 'AWS owned key'}, target ${t.SSESpecification?.Enabled ? 'KMS' : 'AWS owned key'}`)
  if (!!s.DeletionProtectionEnabled !== !!t.DeletionProtectionEnabled) warnings.push(`deletion protection: source ${onOff(s.DeletionProtectionEnabled)}, target ${onOff(t.DeletionProtectionEnabled)}`)
  if (source.timeToLiveAttribute !== undefined && target.timeToLiveAttribute !== undefined && source.timeToLiveAttribute !== target.timeToLiveAttribute) {
    warnings.push(`time to live: source ${source.timeToLiveAttribute ?? 'off'}, target ${target.timeToLiveAttribute ?? 'off'}`)
  }
  if (source.pointInTimeRecovery !== undefined && target.pointInTimeRecovery !== undefined && source.pointInTimeRecovery !== target.pointInTimeRecovery) {
    warnings.push(`point-in-time recovery: source ${onOff(source.pointInTimeRecovery)}, target ${onOff(target.pointInTimeRecovery)}`)
  }
  if (source.tags && target.tags) {
    const fmt = (tags: { Key?: string; Value?: string }[]) => tags.map((t) => `${t.Key}=${t.Value}`).sort().join(', ')
    if (fmt(source.tags) !== fmt(target.tags)) warnings.push(`tags: source {${fmt(source.tags)}}, target {${fmt(target.tags)}}`)
  }
  return { blocking, warnings }
}

const onOff = (v: boolean | undefined) => (v ? 'on' : 'off')

function attributeTypes(input: CreateTableInput): Map<string, string> {
  return new Map((input.AttributeDefinitions ?? []).map((a) => [a.AttributeName ?? '', a.AttributeType ?? '']))
}

function describeKey(keys: KeySchemaElement[] | undefined, types: Map<string, string>): string {
  const ordered = [...(keys ?? [])].sort((a, b) => (a.KeyType === 'HASH' ? -1 : b.KeyType === 'HASH' ? 1 : 0))
  return ordered.map((k) => `${k.AttributeName} (${k.KeyType}, ${types.get(k.AttributeName ?? '') ?? '?'})`).join(' + ')
}

function describeProjection(p: Projection | undefined): string {
  const type = p?.ProjectionType ?? 'ALL'
  return type === 'INCLUDE' ? `INCLUDE [${[...(p?.NonKeyAttributes ?? [])].sort().join(', ')}]` : type
}

interface IndexLike {
  KeySchema?: KeySchemaElement[]
  Projection?: Projection
}

function indexMap<T extends IndexLike & { IndexName?: string }>(indexes: T[] | undefined): Map<string, T> {
  return new Map((indexes ?? []).map((i) => [i.IndexName ?? '', i]))
}

function compareIndex(kind: string, name: string, s: IndexLike, t: IndexLike, sTypes: Map<string, string>, tTypes: Map<string, string>, blocking: string[]): void {
  const sKey = describeKey(s.KeySchema, sTypes)
  const tKey = describeKey(t.KeySchema, tTypes)
  if (sKey !== tKey) blocking.push(`${kind} ${name}: key source ${sKey}, target ${tKey}`)
  const sProj = describeProjection(s.Projection)
  const tProj = describeProjection(t.Projection)
  if (sProj !== tProj) blocking.push(`${kind} ${name}: projection source ${sProj}, target ${tProj}`)
}
