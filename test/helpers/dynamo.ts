import { BatchWriteItemCommand, CreateTableCommand, DeleteTableCommand, type CreateTableInput, type DynamoDBClient } from '@aws-sdk/client-dynamodb'
import os from 'node:os'
import path from 'node:path'
import { promises as fs } from 'node:fs'
import { dynamoClient } from '../../src/aws/clients.js'
import { toSdkItem, type JsonItem } from '../../src/dynamo/attribute-json.js'
import { engineContext, type EngineContext, type ProgressEvent, type Reporter } from '../../src/engine/context.js'
import { DEFAULT_SETTINGS, type EngineSettings } from '../../src/engine/settings.js'
import { waitForActive } from '../../src/dynamo/tables.js'
import { DEFAULT_RETRY } from '../../src/dynamo/retry.js'

export const credentials = { accessKeyId: 'local', secretAccessKey: 'local' }

export function dynaliteEndpoint(): string {
  const endpoint = process.env.DYNALITE_ENDPOINT
  if (!endpoint) throw new Error('DYNALITE_ENDPOINT is not set: run the tests with npm test (the global setup starts dynalite)')
  return endpoint
}

export function localClient(endpoint = dynaliteEndpoint()): DynamoDBClient {
  return dynamoClient({ region: 'us-east-1', endpointUrl: endpoint, credentials })
}

/** Collects what the engine reports, for assertions. */
export class RecordingReporter implements Reporter {
  readonly infos: string[] = []
  readonly warnings: string[] = []
  readonly events: ProgressEvent[] = []
  info(m: string) {
    this.infos.push(m)
  }
  warn(m: string) {
    this.warnings.push(m)
  }
  progress(e: ProgressEvent) {
    this.events.push(e)
  }
}

export function testContext(client: DynamoDBClient, reporter: Reporter = new RecordingReporter()): EngineContext {
  return engineContext(client, reporter, { retry: { ...DEFAULT_RETRY, baseDelayMs: 5, maxDelayMs: 50 } })
}

let counter = 0
/** A table name unique to this suite and call: the server is shared by every suite. */
export function uniqueName(prefix: string): string {
  counter++
  return `${prefix}-${process.pid}-${counter}`
}

export async function tempDir(prefix = 'ddb-test-'): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), prefix))
}

export function settingsFor(backupDir: string, overrides: Partial<EngineSettings> = {}): EngineSettings {
  return { ...DEFAULT_SETTINGS, backupDir, scanSegments: 3, writeConcurrency: 4, ...overrides }
}

/** The article's order-tracking table: companyId/recordId keys and its two GSIs. */
export function orderTrackingSchema(name: string, extra: Partial<CreateTableInput> = {}): CreateTableInput {
  return {
    TableName: name,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: 'companyId', AttributeType: 'S' },
      { AttributeName: 'recordId', AttributeType: 'S' },
      { AttributeName: 'createdAt', AttributeType: 'S' }
    ],
    KeySchema: [
      { AttributeName: 'companyId', KeyType: 'HASH' },
      { AttributeName: 'recordId', KeyType: 'RANGE' }
    ],
    GlobalSecondaryIndexes: [
      { IndexName: 'recordId-index', KeySchema: [{ AttributeName: 'recordId', KeyType: 'HASH' }], Projection: { ProjectionType: 'ALL' } },
      {
        IndexName: 'companyId-createdAt-index',
        KeySchema: [
          { AttributeName: 'companyId', KeyType: 'HASH' },
          { AttributeName: 'createdAt', KeyType: 'RANGE' }
        ],
        Projection: { ProjectionType: 'ALL' }
      }
    ],
    ...extra
  }
}

export async function createTable(client: DynamoDBClient, input: CreateTableInput): Promise<void> {
  await client.send(new CreateTableCommand(input))
  await waitForActive(testContext(client), input.TableName as string)
}

export async function dropTable(client: DynamoDBClient, name: string): Promise<void> {
  await client.send(new DeleteTableCommand({ TableName: name })).catch(() => undefined)
}

/** Writes items directly (test setup), 25 at a time, a few requests in flight. */
export async function putItems(client: DynamoDBClient, table: string, items: JsonItem[]): Promise<void> {
  const batches: JsonItem[][] = []
  for (let i = 0; i < items.length; i += 25) batches.push(items.slice(i, i + 25))
  let next = 0
  const worker = async () => {
    while (next < batches.length) {
      let pending = (batches[next++] as JsonItem[]).map((item) => ({ PutRequest: { Item: toSdkItem(item) } }))
      while (pending.length) {
        const out = await client.send(new BatchWriteItemCommand({ RequestItems: { [table]: pending } }))
        pending = (out.UnprocessedItems?.[table] ?? []) as typeof pending
      }
    }
  }
  await Promise.all(Array.from({ length: 8 }, worker))
}

/** Deterministic order-tracking items: `count` items across `companies` companies, ~`pad` bytes each. */
export function orderItems(count: number, options: { companies?: number; pad?: number; seed?: string } = {}): JsonItem[] {
  const companies = options.companies ?? 7
  const pad = 'x'.repeat(options.pad ?? 100)
  return Array.from({ length: count }, (_, i) => ({
    companyId: { S: `company-${i % companies}` },
    recordId: { S: `record-${String(i).padStart(7, '0')}` },
    createdAt: { S: new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString() },
    status: { S: ['NEW', 'PACKED', 'SHIPPED', 'DELIVERED'][i % 4] as string },
    amount: { N: `${(i * 37) % 10000}.${String(i % 100).padStart(2, '0')}` },
    notes: { S: `${options.seed ?? ''}${pad}` }
  }))
}
