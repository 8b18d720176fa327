import type { GlobalSecondaryIndex, KeySchemaElement, LocalSecondaryIndex, Projection } from '@aws-sdk/client-dynamodb'
import type { TableSchema } from '../dynamo/table-schema.js'

/**
 * The other direction of table-properties.ts: a table schema written as the Properties of an
 * `AWS::DynamoDB::Table` resource, and the edits that make a template resource describe a live
 * table exactly, which a CloudFormation import needs (adopt.ts).
 */

/** One edit to the template resource before an import. */
export interface TemplateChange {
  /** Where in the resource: `Properties.BillingMode`, `DeletionPolicy`, ... */
  path: string
  /** What the template says and what the live table has. */
  difference: string
  /** What the template has now; absent when it does not set it. */
  template?: unknown
  /** The value that describes the live table; absent with `remove`. */
  value?: unknown
  /** Remove the property: the live table does not have it. */
  remove?: boolean
  /**
   * Going back to the template's value after the import: `in-place` (a later deploy updates the
   * table), `replacement` (only a new table can have it: CloudFormation would replace the table).
   * Absent for resource attributes.
   */
  restore?: 'in-place' | 'replacement'
}

/** Properties that CloudFormation can only change by replacing the table. */
const REPLACEMENT = new Set(['TableName', 'KeySchema', 'LocalSecondaryIndexes'])

/** Compared in this order; TableName is the same by construction (the import matches by name). */
const COMPARED = [
  'BillingMode',
  'AttributeDefinitions',
  'KeySchema',
  'ProvisionedThroughput',
  'OnDemandThroughput',
  'GlobalSecondaryIndexes',
  'LocalSecondaryIndexes',
  'StreamSpecification',
  'SSESpecification',
  'TableClass',
  'DeletionProtectionEnabled',
  'TimeToLiveSpecification',
  'PointInTimeRecoverySpecification',
  'Tags'
] as const

/** A table schema as CloudFormation resource Properties, in the usual order, defaults left out. */
export function propertiesFromSchema(schema: TableSchema): Record<string, unknown> {
  const t = schema.createTable
  const provisioned = t.BillingMode !== 'PAY_PER_REQUEST'
  const p: Record<string, unknown> = {}
  if (t.TableName) p.TableName = t.TableName
  p.BillingMode = provisioned ? 'PROVISIONED' : 'PAY_PER_REQUEST'
  p.AttributeDefinitions = (t.AttributeDefinitions ?? []).map((a) => ({ AttributeName: a.AttributeName, AttributeType: a.AttributeType }))
  p.KeySchema = keySchema(t.KeySchema)
  if (provisioned && t.ProvisionedThroughput) p.ProvisionedThroughput = throughput(t.ProvisionedThroughput)
  if (!provisioned && t.OnDemandThroughput) p.OnDemandThroughput = { ...t.OnDemandThroughput }
  if (t.GlobalSecondaryIndexes?.length) p.GlobalSecondaryIndexes = t.GlobalSecondaryIndexes.map((g) => index(g, provisioned))
  if (t.LocalSecondaryIndexes?.length) p.LocalSecondaryIndexes = t.LocalSecondaryIndexes.map((l) => index(l, false))
  if (t.StreamSpecification?.StreamEnabled) p.StreamSpecification = { StreamViewType: t.StreamSpecification.StreamViewType }
  if (t.SSESpecification?.Enabled) p.SSESpecification = { SSEEnabled: true, SSEType: 'KMS', ...(t.SSESpecification.KMSMasterKeyId ? { KMSMasterKeyId: t.SSESpecification.KMSMasterKeyId } : {}) }
  if (t.TableClass && t.TableClass !== 'STANDARD') p.TableClass = t.TableClass
  if (t.DeletionProtectionEnabled) p.DeletionProtectionEnabled = true
  if (schema.timeToLiveAttribute) p.TimeToLiveSpecification = { AttributeName: schema.timeToLiveAttribute, Enabled: true }
  if (schema.pointInTimeRecovery) p.PointInTimeRecoverySpecification = { PointInTimeRecoveryEnabled: true }
  if (schema.tags?.length) p.Tags = schema.tags.map((tag) => ({ Key: tag.Key, Value: tag.Value }))
  return p
}

/**
 * The edits that make the template's table (`template`) describe the live one exactly, one per
 * property. What the live side could not read (TTL, point-in-time recovery or tags on servers
 * without those calls) is not compared.
 */
export function templateChanges(live: TableSchema, template: TableSchema): TemplateChange[] {
  const l = propertiesFromSchema(live)
  const t = propertiesFromSchema(template)
  const unknown = new Set<string>()
  if (live.timeToLiveAttribute === undefined) unknown.add('TimeToLiveSpecification')
  if (live.pointInTimeRecovery === undefined) unknown.add('PointInTimeRecoverySpecification')
  if (live.tags === undefined) unknown.add('Tags')
  const changes: TemplateChange[] = []
  for (const name of COMPARED) {
    if (unknown.has(name)) continue
    const lv = l[name]
    const tv = t[name]
    if (canonical(name, lv) === canonical(name, tv)) continue
    changes.push({
      path: `Properties.${name}`,
      difference: describe(name, tv, lv),
      ...(tv !== undefined ? { template: tv } : {}),
      ...(lv !== undefined ? { value: lv } : { remove: true }),
      restore: REPLACEMENT.has(name) ? 'replacement' : 'in-place'
    })
  }
  return changes
}

function keySchema(keys: KeySchemaElement[] | undefined): { AttributeName?: string; KeyType?: string }[] {
  return [...(keys ?? [])].sort((a, b) => (a.KeyType === 'HASH' ? -1 : b.KeyType === 'HASH' ? 1 : 0)).map((k) => ({ AttributeName: k.AttributeName, KeyType: k.KeyType }))
}

function throughput(t: { ReadCapacityUnits?: number; WriteCapacityUnits?: number }) {
  return { ReadCapacityUnits: t.ReadCapacityUnits, WriteCapacityUnits: t.WriteCapacityUnits }
}

function projection(p: Projection | undefined): Record<string, unknown> {
  const type = p?.ProjectionType ?? 'ALL'
  return { ProjectionType: type, ...(p?.NonKeyAttributes?.length ? { NonKeyAttributes: [...p.NonKeyAttributes] } : {}) }
}

function index(i: GlobalSecondaryIndex | LocalSecondaryIndex, provisioned: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = { IndexName: i.IndexName, KeySchema: keySchema(i.KeySchema), Projection: projection(i.Projection) }
  if ('ProvisionedThroughput' in i && provisioned && i.ProvisionedThroughput) out.ProvisionedThroughput = throughput(i.ProvisionedThroughput)
  if ('OnDemandThroughput' in i && !provisioned && i.OnDemandThroughput) out.OnDemandThroughput = { ...i.OnDemandThroughput }
  return out
}

/** Order-free form for comparison: lists of named things sorted by name, attribute lists sorted. */
function canonical(name: string, value: unknown): string {
  if (value === undefined) return name === 'Tags' ? '[]' : 'undefined'
  const sortBy = (key: string) => (a: unknown, b: unknown) => String((a as Record<string, unknown>)[key]).localeCompare(String((b as Record<string, unknown>)[key]))
  if (name === 'AttributeDefinitions') return JSON.stringify([...(value as unknown[])].sort(sortBy('AttributeName')))
  if (name === 'Tags') return JSON.stringify([...(value as unknown[])].sort(sortBy('Key')))
  if (name === 'GlobalSecondaryIndexes' || name === 'LocalSecondaryIndexes') {
    return JSON.stringify([...(value as Record<string, unknown>[])].map(sortedNonKey).sort(sortBy('IndexName')))
  }
  return JSON.stringify(value)
}

function sortedNonKey(i: Record<string, unknown>): Record<string, unknown> {
  const p = i.Projection as { NonKeyAttributes?: string[] } | undefined
  return p?.NonKeyAttributes ? { ...i, Projection: { ...p, NonKeyAttributes: [...p.NonKeyAttributes].sort() } } : i
}

/** `template X, live Y`; for lists of named things, which names differ. */
function describe(name: string, template: unknown, live: unknown): string {
  const named = (key: string) => {
    const t = new Map(((template as Record<string, unknown>[] | undefined) ?? []).map((e) => [String(e[key]), canonical(name, [e])]))
    const l = new Map(((live as Record<string, unknown>[] | undefined) ?? []).map((e) => [String(e[key]), canonical(name, [e])]))
    const parts: string[] = []
    for (const [n, v] of t) {
      if (!l.has(n)) parts.push(`${n} in the template only`)
      else if (l.get(n) !== v) parts.push(`${n}: ${fieldDifferences(entry(template, key, n), entry(live, key, n))}`)
    }
    for (const n of l.keys()) if (!t.has(n)) parts.push(`${n} live only`)
    return parts.join('; ')
  }
  if (name === 'GlobalSecondaryIndexes' || name === 'LocalSecondaryIndexes') return named('IndexName')
  if (name === 'AttributeDefinitions') return named('AttributeName')
  if (name === 'Tags') return named('Key')
  if (name === 'KeySchema') return `template ${keyText(template)}, live ${keyText(live)}`
  return `template ${short(template)}, live ${short(live)}`
}

function entry(list: unknown, key: string, name: string): Record<string, unknown> | undefined {
  const found = ((list as Record<string, unknown>[] | undefined) ?? []).find((e) => String(e[key]) === name)
  if (!found) return undefined
  const { [key]: _omit, ...rest } = found
  return rest
}

/** Which fields of two list entries differ: `Projection template ALL, live KEYS_ONLY`. */
function fieldDifferences(template: Record<string, unknown> | undefined, live: Record<string, unknown> | undefined): string {
  const fields = [...new Set([...Object.keys(template ?? {}), ...Object.keys(live ?? {})])]
  return fields
    .filter((f) => JSON.stringify(template?.[f]) !== JSON.stringify(live?.[f]))
    .map((f) => `${f} template ${f === 'KeySchema' ? keyText(template?.[f]) : short(template?.[f])}, live ${f === 'KeySchema' ? keyText(live?.[f]) : short(live?.[f])}`)
    .join(', ')
}

function keyText(keys: unknown): string {
  return ((keys as { AttributeName?: string; KeyType?: string }[] | undefined) ?? []).map((k) => `${k.AttributeName} (${k.KeyType})`).join(' + ') || 'none'
}

function short(value: unknown): string {
  if (value === undefined) return 'not set'
  return typeof value === 'string' ? value : JSON.stringify(value)
}
