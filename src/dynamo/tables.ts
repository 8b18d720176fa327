import {
  CreateTableCommand,
  DescribeContinuousBackupsCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  ListTagsOfResourceCommand,
  ScanCommand,
  TagResourceCommand,
  UpdateContinuousBackupsCommand,
  UpdateTimeToLiveCommand,
  type TableDescription
} from '@aws-sdk/client-dynamodb'
import type { EngineContext } from '../engine/context.js'
import { MigrationError, errorMessage } from '../errors.js'
import { withRetry } from './retry.js'
import { createTableInputFrom, type TableSchema } from './table-schema.js'

/** DescribeTable, or undefined when the table does not exist. */
export async function describeTable(ctx: EngineContext, name: string): Promise<TableDescription | undefined> {
  try {
    const out = await withRetry(() => ctx.client.send(new DescribeTableCommand({ TableName: name })), ctx.retry, ctx.clock)
    return out.Table
  } catch (error) {
    if ((error as { name?: string }).name === 'ResourceNotFoundException') return undefined
    throw error
  }
}

/** Errors that mean "this server or this role cannot do that", which become warnings. */
function isUnsupported(error: unknown): boolean {
  const name = (error as { name?: string }).name ?? ''
  return ['UnknownOperationException', 'AccessDeniedException', 'UnrecognizedClientException', 'ValidationException', 'UnsupportedOperationException'].includes(name)
}

/** Reads the full schema: the CreateTable allow-list plus TTL, point-in-time recovery and tags. */
export async function readTableSchema(ctx: EngineContext, description: TableDescription, warnings: string[]): Promise<TableSchema> {
  const name = description.TableName ?? ''
  const schema: TableSchema = { createTable: createTableInputFrom(description, name) }
  try {
    const ttl = await withRetry(() => ctx.client.send(new DescribeTimeToLiveCommand({ TableName: name })), ctx.retry, ctx.clock)
    const status = ttl.TimeToLiveDescription?.TimeToLiveStatus
    schema.timeToLiveAttribute = status === 'ENABLED' || status === 'ENABLING' ? (ttl.TimeToLiveDescription?.AttributeName ?? null) : null
  } catch (error) {
    if (!isUnsupported(error)) throw error
    warnings.push(`${name}: could not read time to live (${errorMessage(error)}); it is not copied`)
  }
  try {
    const pitr = await withRetry(() => ctx.client.send(new DescribeContinuousBackupsCommand({ TableName: name })), ctx.retry, ctx.clock)
    schema.pointInTimeRecovery = pitr.ContinuousBackupsDescription?.PointInTimeRecoveryDescription?.PointInTimeRecoveryStatus === 'ENABLED'
  } catch (error) {
    if (!isUnsupported(error)) throw error
    warnings.push(`${name}: could not read point-in-time recovery (${errorMessage(error)}); it is not copied`)
  }
  if (description.TableArn) {
    try {
      const tags = []
      let token: string | undefined
      const arn = description.TableArn
      do {
        const out = await withRetry(() => ctx.client.send(new ListTagsOfResourceCommand({ ResourceArn: arn, NextToken: token })), ctx.retry, ctx.clock)
        tags.push(...(out.Tags ?? []))
        token = out.NextToken
      } while (token)
      schema.tags = tags
    } catch (error) {
      if (!isUnsupported(error)) throw error
      warnings.push(`${name}: could not read tags (${errorMessage(error)}); they are not copied`)
    }
  }
  return schema
}

/** Waits until the table and every global secondary index are ACTIVE. */
export async function waitForActive(ctx: EngineContext, name: string, timeoutMs = 15 * 60_000): Promise<TableDescription> {
  const deadline = Date.now() + timeoutMs
  for (let delay = 250; ; delay = Math.min(delay * 2, 5000)) {
    const table = await describeTable(ctx, name)
    const ready = table?.TableStatus === 'ACTIVE' && (table.GlobalSecondaryIndexes ?? []).every((g) => !g.IndexStatus || g.IndexStatus === 'ACTIVE')
    if (table && ready) return table
    if (Date.now() > deadline) throw new MigrationError('TABLE_NOT_ACTIVE', `Table ${name} is not ACTIVE after ${Math.round(timeoutMs / 1000)} s (status ${table?.TableStatus ?? 'missing'})`)
    await ctx.clock.sleep(delay)
  }
}

/**
 * Creates `name` with the schema, waits for it, then applies what CreateTable cannot carry
 * (TTL, point-in-time recovery, tags), each with a warning where the server does not support it.
 */
export async function createTableFromSchema(ctx: EngineContext, name: string, schema: TableSchema, warnings: string[]): Promise<TableDescription> {
  // Retried like every other call. A CreateTable whose answer was lost (connection reset,
  // timeout) may have created the table: when a retry (the engine's or the SDK's) then finds the
  // name taken, the table is the one just asked for, checked by its key schema once ACTIVE.
  let sent = 0
  let adopted = false
  await withRetry(
    async () => {
      sent++
      try {
        await ctx.client.send(new CreateTableCommand({ ...schema.createTable, TableName: name }))
      } catch (error) {
        const e = error as { name?: string; $metadata?: { attempts?: number } }
        if (e.name !== 'ResourceInUseException' || (sent === 1 && (e.$metadata?.attempts ?? 1) <= 1)) throw error
        adopted = true
      }
    },
    ctx.retry,
    ctx.clock
  )
  const table = await waitForActive(ctx, name)
  if (adopted && JSON.stringify(table.KeySchema) !== JSON.stringify(schema.createTable.KeySchema)) {
    throw new MigrationError('SCHEMA_MISMATCH', `Table ${name} appeared while it was being created, with another key schema: it is not the table this migration asked for`)
  }
  const attempt = async (what: string, fn: () => Promise<unknown>) => {
    try {
      await fn()
    } catch (error) {
      if (!isUnsupported(error)) throw error
      warnings.push(`${name}: could not set ${what} (${errorMessage(error)}); set it by hand or in your IaC`)
    }
  }
  if (schema.timeToLiveAttribute) {
    const attributeName = schema.timeToLiveAttribute
    await attempt(`time to live on ${attributeName}`, () => ctx.client.send(new UpdateTimeToLiveCommand({ TableName: name, TimeToLiveSpecification: { Enabled: true, AttributeName: attributeName } })))
  }
  if (schema.pointInTimeRecovery) {
    await attempt('point-in-time recovery', () => ctx.client.send(new UpdateContinuousBackupsCommand({ TableName: name, PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } })))
  }
  if (schema.tags?.length && table.TableArn) {
    const arn = table.TableArn
    await attempt('tags', () => ctx.client.send(new TagResourceCommand({ ResourceArn: arn, Tags: schema.tags })))
  }
  return table
}

/** True when a Scan finds at least one item (DescribeTable's ItemCount is hours stale). */
export async function tableHasItems(ctx: EngineContext, name: string): Promise<boolean> {
  let start: Record<string, import('@aws-sdk/client-dynamodb').AttributeValue> | undefined
  do {
    const out = await withRetry(() => ctx.client.send(new ScanCommand({ TableName: name, Limit: 1, Select: 'COUNT', ExclusiveStartKey: start })), ctx.retry, ctx.clock)
    if ((out.Count ?? 0) > 0) return true
    start = out.LastEvaluatedKey
  } while (start)
  return false
}

/** Counts items with a parallel `Select: COUNT` scan. */
export async function countItems(ctx: EngineContext, name: string, segments: number): Promise<{ count: number; scannedBytes?: number }> {
  const counts = await Promise.all(
    Array.from({ length: segments }, async (_, segment) => {
      let count = 0
      let start: Record<string, import('@aws-sdk/client-dynamodb').AttributeValue> | undefined
      do {
        const out = await withRetry(
          () => ctx.client.send(new ScanCommand({ TableName: name, Select: 'COUNT', ExclusiveStartKey: start, ...(segments > 1 ? { Segment: segment, TotalSegments: segments } : {}) })),
          ctx.retry,
          ctx.clock
        )
        count += out.Count ?? 0
        start = out.LastEvaluatedKey
      } while (start)
      return count
    })
  )
  return { count: counts.reduce((a, b) => a + b, 0) }
}
