// Shared by the integration suites in this folder (not a test file itself: jest only runs *.test.ts).
import { CreateTableCommand, DeleteTableCommand, ScanCommand, UpdateTableCommand, type AttributeValue, type CreateTableInput, type DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { promises as fs } from 'node:fs'
import path from 'node:path'
import { describeTable, waitForActive } from '../../src/dynamo/tables.js'
import { DEFAULT_RETRY, type Clock } from '../../src/dynamo/retry.js'
import { engineContext, type EngineContext, type Reporter } from '../../src/engine/context.js'
import { scanDigest } from '../../src/engine/scan-digest.js'
import { RecordingReporter } from '../helpers/dynamo.js'

/**
 * Waits are capped at 20 ms: the local servers need no backoff, and waitForActive's first
 * 250 ms poll (dynalite answers CREATING once) would otherwise add up over every table made.
 */
const quickClock: Clock = { sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.min(ms, 20))), random: Math.random }

/** The engine context for these suites: the real client, fast retries and polls. */
export function testContext(client: DynamoDBClient, reporter: Reporter = new RecordingReporter()): EngineContext {
  return engineContext(client, reporter, { retry: { ...DEFAULT_RETRY, baseDelayMs: 5, maxDelayMs: 50 }, clock: quickClock })
}

/** CreateTable, then wait until it and its indexes are ACTIVE. */
export async function createTable(client: DynamoDBClient, input: CreateTableInput): Promise<void> {
  await client.send(new CreateTableCommand(input))
  await waitForActive(testContext(client), input.TableName as string)
}

/** Every item of a table, all pages, strongly consistent. */
export async function scanAll(client: DynamoDBClient, table: string): Promise<Record<string, AttributeValue>[]> {
  const items: Record<string, AttributeValue>[] = []
  let start: Record<string, AttributeValue> | undefined
  do {
    const out = await client.send(new ScanCommand({ TableName: table, ConsistentRead: true, ExclusiveStartKey: start }))
    items.push(...(out.Items ?? []))
    start = out.LastEvaluatedKey
  } while (start)
  return items
}

/**
 * A plain, exactly comparable form of an attribute value: numbers stay the strings DynamoDB
 * returned (no normalisation), binaries become hex of their exact bytes, and sets are sorted
 * (DynamoDB does not keep set order). Anything else is compared as is.
 */
export type Exact = { [type: string]: string | boolean | Exact[] | string[] | { [name: string]: Exact } }

export function exactValue(v: AttributeValue): Exact {
  const hex = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex')
  if (v.S !== undefined) return { S: v.S }
  if (v.N !== undefined) return { N: v.N }
  if (v.B !== undefined) return { B: hex(v.B) }
  if (v.BOOL !== undefined) return { BOOL: v.BOOL }
  if (v.NULL !== undefined) return { NULL: v.NULL }
  if (v.SS !== undefined) return { SS: [...v.SS].sort() }
  if (v.NS !== undefined) return { NS: [...v.NS].sort() }
  if (v.BS !== undefined) return { BS: v.BS.map(hex).sort() }
  if (v.M !== undefined) return { M: exactItem(v.M) }
  if (v.L !== undefined) return { L: v.L.map(exactValue) }
  throw new Error(`unexpected attribute value ${JSON.stringify(Object.keys(v))}`)
}

export function exactItem(item: Record<string, AttributeValue>): { [name: string]: Exact } {
  const out: { [name: string]: Exact } = {}
  for (const name of Object.keys(item).sort()) out[name] = exactValue(item[name] as AttributeValue)
  return out
}

/** Items in a stable order (by the JSON of their exact form), ready for toEqual. */
export function exactItems(items: Record<string, AttributeValue>[], key: (item: Record<string, AttributeValue>) => string): { [name: string]: Exact }[] {
  return [...items].sort((a, b) => key(a).localeCompare(key(b))).map(exactItem)
}

/** Count and content digest of a live table, or 'missing' when it does not exist. */
export async function tableState(client: DynamoDBClient, table: string): Promise<{ count: number; digest: string } | 'missing'> {
  const ctx = testContext(client)
  if (!(await describeTable(ctx, table))) return 'missing'
  return (await scanDigest(ctx, table, { segments: 2, consistentRead: true })).toJSON()
}

export async function tableStates(client: DynamoDBClient, tables: string[]): Promise<Record<string, { count: number; digest: string } | 'missing'>> {
  const out: Record<string, { count: number; digest: string } | 'missing'> = {}
  for (const t of tables) out[t] = await tableState(client, t)
  return out
}

/** Records the name of every command the client sends (e.g. 'ScanCommand'). */
export function recordCommands(client: DynamoDBClient): string[] {
  const names: string[] = []
  client.middlewareStack.add(
    (next, context) => async (args) => {
      names.push(String(context.commandName))
      return next(args)
    },
    { step: 'initialize', name: 'recordCommandNames' }
  )
  return names
}

/** Every manifest.json under `dir` (none when the folder does not exist). */
export async function manifestsUnder(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { withFileTypes: true, recursive: true }).catch(() => [])
  return entries.filter((e) => e.isFile() && e.name === 'manifest.json').map((e) => path.join(e.parentPath, e.name))
}

/** Deletes tables made by a suite, turning deletion protection off first where it is on. */
export async function dropTables(client: DynamoDBClient, tables: string[]): Promise<void> {
  await Promise.all(
    tables.map(async (name) => {
      const description = await describeTable(testContext(client), name).catch(() => undefined)
      if (!description) return
      if (description.DeletionProtectionEnabled) {
        await client.send(new UpdateTableCommand({ TableName: name, DeletionProtectionEnabled: false })).catch(() => undefined)
      }
      await client.send(new DeleteTableCommand({ TableName: name })).catch(() => undefined)
    })
  )
}
