import { ListTablesCommand } from '@aws-sdk/client-dynamodb'
import type { EngineContext } from '../engine/context.js'
import { withRetry } from '../dynamo/retry.js'
import type { TableSchema } from '../dynamo/table-schema.js'
import { describeTable, readTableSchema } from '../dynamo/tables.js'

/** Every table name in the account and region, following ListTables' pages. */
export async function listTableNames(ctx: EngineContext, pageSize?: number): Promise<string[]> {
  const names: string[] = []
  let start: string | undefined
  do {
    const out = await withRetry(() => ctx.client.send(new ListTablesCommand({ ExclusiveStartTableName: start, ...(pageSize ? { Limit: pageSize } : {}) })), ctx.retry, ctx.clock)
    names.push(...(out.TableNames ?? []))
    start = out.LastEvaluatedTableName
  } while (start)
  return names
}

/**
 * A live table's schema for comparison with a template (undefined when it is gone). Tags
 * CloudFormation and AWS add (`aws:`) are left out: a template never declares them.
 */
export async function readLiveSchema(ctx: EngineContext, table: string, warnings: string[]): Promise<TableSchema | undefined> {
  const description = await describeTable(ctx, table)
  if (!description) return undefined
  const own: string[] = []
  const schema = await readTableSchema(ctx, description, own)
  warnings.push(...own.map((w) => w.replace(/; (it is|they are) not copied$/, '; not compared')))
  if (schema.tags) schema.tags = schema.tags.filter((t) => !t.Key?.startsWith('aws:'))
  return schema
}
