// deleteSource removes a source only when its data provably lives on in the target: confirmed by
// name, target equal to the backup, source unchanged since the backup. Deletion protection and
// TTL need the official DynamoDB Local (dynalite supports neither).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { promises as fs } from 'node:fs'
import {
  CreateTableCommand,
  DeleteItemCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  PutItemCommand,
  UpdateItemCommand,
  UpdateTimeToLiveCommand,
  type DynamoDBClient
} from '@aws-sdk/client-dynamodb'
import { migratePair } from '../../src/engine/migrate.js'
import { deleteSource } from '../../src/engine/delete.js'
import { planPair } from '../../src/engine/plan.js'
import { runMigrations } from '../../src/engine/run.js'
import { readManifest, type LoadedBackup } from '../../src/backup/manifest.js'
import { describeTable, waitForActive } from '../../src/dynamo/tables.js'
import { MigrationError } from '../../src/errors.js'
import type { EngineSettings } from '../../src/engine/settings.js'
import { localClient, orderItems, orderTrackingSchema, putItems, settingsFor, tempDir, uniqueName } from '../helpers/dynamo.js'
import { createTable, dropTables, recordCommands, tableStates, testContext } from './support.js'

async function refusal(promise: Promise<unknown>): Promise<MigrationError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e
  )
  expect(error).toBeInstanceOf(MigrationError)
  expect((error as MigrationError).code).toBe('DELETE_REFUSED')
  return error as MigrationError
}

describe('deleteSource (dynalite)', () => {
  const client = localClient()
  const created: string[] = []
  let backupDir: string
  beforeAll(async () => {
    backupDir = await tempDir('ddb-delete-')
  })
  afterAll(async () => {
    await dropTables(client, created)
    client.destroy()
    await fs.rm(backupDir, { recursive: true, force: true })
  })

  /** A source migrated to a new target, with the backup of that migration. */
  async function migrated(count = 40): Promise<{ source: string; target: string; backup: LoadedBackup; settings: EngineSettings }> {
    const source = uniqueName('delete-src')
    const target = uniqueName('delete-dst')
    created.push(source, target)
    await createTable(client, orderTrackingSchema(source))
    await putItems(client, source, orderItems(count, { seed: source }))
    const settings = settingsFor(backupDir, { confirmDelete: [source] })
    const result = await migratePair(testContext(client), { source, target }, settings)
    expect(result.status).toBe('verified')
    return { source, target, backup: await readManifest(result.backup!.dir), settings }
  }

  it('refuses when the source is not named in confirmDelete', async () => {
    const { source, target, backup, settings } = await migrated()
    const before = await tableStates(client, [source, target])
    for (const confirmDelete of [[], [target], [source.toUpperCase()], [`${source} `]]) {
      const error = await refusal(deleteSource(testContext(client), { source, target }, backup, { ...settings, confirmDelete }))
      expect(error.message).toContain('confirm-delete')
      expect(error.message).toContain(source)
    }
    expect(await tableStates(client, [source, target])).toEqual(before)
  })

  it('refuses when the target does not match the backup (an item deleted from it)', async () => {
    const { source, target, backup, settings } = await migrated()
    await client.send(new DeleteItemCommand({ TableName: target, Key: { companyId: { S: 'company-3' }, recordId: { S: 'record-0000003' } } }))
    const before = await tableStates(client, [source, target])
    const error = await refusal(deleteSource(testContext(client), { source, target }, backup, settings))
    expect(error.message).toContain(`${target} does not match the backup`)
    expect(error.message).toContain('Nothing was deleted')
    expect(await tableStates(client, [source, target])).toEqual(before)
  })

  it('refuses when the target does not match the backup (same count, one attribute changed)', async () => {
    const { source, target, backup, settings } = await migrated()
    await client.send(
      new UpdateItemCommand({
        TableName: target,
        Key: { companyId: { S: 'company-5' }, recordId: { S: 'record-0000005' } },
        UpdateExpression: 'SET amount = :a',
        ExpressionAttributeValues: { ':a': { N: '123456789.01' } }
      })
    )
    const before = await tableStates(client, [source, target])
    const error = await refusal(deleteSource(testContext(client), { source, target }, backup, settings))
    expect(error.message).toContain(`${target} does not match the backup right now (40 items, backup 40)`)
    expect(await tableStates(client, [source, target])).toEqual(before)
  })

  it('refuses when the source was written to after the backup (a new item)', async () => {
    const { source, target, backup, settings } = await migrated()
    await client.send(new PutItemCommand({ TableName: source, Item: { companyId: { S: 'company-late' }, recordId: { S: 'record-late' }, createdAt: { S: '2026-02-01T00:00:00.000Z' } } }))
    const before = await tableStates(client, [source, target])
    const error = await refusal(deleteSource(testContext(client), { source, target }, backup, settings))
    expect(error.message).toMatch(/changed since the backup \(41 items now, 40 in the backup\)/)
    expect(error.message).toContain(target)
    expect(await tableStates(client, [source, target])).toEqual(before)
  })

  it('refuses when the source was written to after the backup (an item updated, same count)', async () => {
    const { source, target, backup, settings } = await migrated()
    await client.send(
      new UpdateItemCommand({
        TableName: source,
        Key: { companyId: { S: 'company-1' }, recordId: { S: 'record-0000001' } },
        UpdateExpression: 'SET #s = :s',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':s': { S: 'CANCELLED' } }
      })
    )
    const before = await tableStates(client, [source, target])
    const error = await refusal(deleteSource(testContext(client), { source, target }, backup, settings))
    expect(error.message).toMatch(/changed since the backup \(40 items now, 40 in the backup\)/)
    expect(await tableStates(client, [source, target])).toEqual(before)
  })

  it('refuses a backup of another table', async () => {
    const first = await migrated(5)
    const second = await migrated(5)
    const before = await tableStates(client, [first.source, first.target])
    const error = await refusal(deleteSource(testContext(client), { source: first.source, target: first.target }, second.backup, first.settings))
    expect(error.message).toContain(`the backup given is of ${second.source}`)
    expect(await tableStates(client, [first.source, first.target])).toEqual(before)
  })

  it('refuses when the target is gone', async () => {
    const { source, target, backup, settings } = await migrated(5)
    await dropTables(client, [target])
    const before = await tableStates(client, [source])
    const error = await refusal(deleteSource(testContext(client), { source, target }, backup, settings))
    expect(error.message).toContain(`its target ${target} does not exist`)
    expect(await tableStates(client, [source])).toEqual(before)
  })

  it('deletes the source when everything matches; the target keeps every item', async () => {
    const { source, target, backup, settings } = await migrated(60)
    const targetBefore = await tableStates(client, [target])
    const result = await deleteSource(testContext(client), { source, target }, backup, settings)
    expect(result).toMatchObject({ status: 'deleted', mode: 'delete', itemsVerified: 60, expected: { count: 60, digest: backup.manifest.digest }, actual: { count: 60, digest: backup.manifest.digest } })
    expect(await describeTable(testContext(client), source)).toBeUndefined()
    expect(await tableStates(client, [target])).toEqual(targetBefore)
    // A second delete is refused, not an error from DynamoDB.
    const again = await refusal(deleteSource(testContext(client), { source, target }, backup, settings))
    expect(again.message).toContain('does not exist')
  })

  it('runMigrations in delete mode finds the backup in the backup dir and deletes', async () => {
    const { source, target, settings } = await migrated(10)
    const [result] = await runMigrations(testContext(client), { mode: 'delete', pairs: [{ source, target }], settings, backupLocation: backupDir })
    expect(result?.status).toBe('deleted')
    expect(await describeTable(testContext(client), source)).toBeUndefined()
  })
})

const d = process.env.DYNAMODB_LOCAL_ENDPOINT ? describe : describe.skip
const localTitle = process.env.DYNAMODB_LOCAL_ENDPOINT
  ? 'deletion protection and TTL (DynamoDB Local)'
  : 'deletion protection and TTL: SKIPPED, DynamoDB Local is not running (it needs a loopback-only network namespace: run npm test as root)'

d(localTitle, () => {
  let client: DynamoDBClient
  const created: string[] = []
  let backupDir: string
  beforeAll(async () => {
    client = localClient(process.env.DYNAMODB_LOCAL_ENDPOINT)
    backupDir = await tempDir('ddb-delete-local-')
  })
  afterAll(async () => {
    await dropTables(client, created)
    client.destroy()
    await fs.rm(backupDir, { recursive: true, force: true })
  })

  /** A source with deletion protection on and TTL on `expiresAt`, migrated to a new target. */
  async function protectedAndMigrated() {
    const source = uniqueName('protected-src')
    const target = uniqueName('protected-dst')
    created.push(source, target)
    await client.send(new CreateTableCommand({ ...orderTrackingSchema(source), DeletionProtectionEnabled: true }))
    await waitForActive(testContext(client), source)
    await client.send(new UpdateTimeToLiveCommand({ TableName: source, TimeToLiveSpecification: { Enabled: true, AttributeName: 'expiresAt' } }))
    const items = orderItems(25).map((item, i) => ({ ...item, expiresAt: { N: String(4_102_444_800 + i) } }))
    await putItems(client, source, items)
    const settings = settingsFor(backupDir, { confirmDelete: [source] })
    const result = await migratePair(testContext(client), { source, target }, settings)
    expect(result.status).toBe('verified')
    return { source, target, settings, backup: await readManifest(result.backup!.dir) }
  }

  it('a migrated target gets TTL on the same attribute and deletion protection, like the source', async () => {
    const { source, target } = await protectedAndMigrated()
    const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: target }))
    expect(ttl.TimeToLiveDescription?.AttributeName).toBe('expiresAt')
    expect(['ENABLED', 'ENABLING']).toContain(ttl.TimeToLiveDescription?.TimeToLiveStatus)
    const sourceTtl = await client.send(new DescribeTimeToLiveCommand({ TableName: source }))
    expect(ttl.TimeToLiveDescription).toEqual(sourceTtl.TimeToLiveDescription)
    const described = await client.send(new DescribeTableCommand({ TableName: target }))
    expect(described.Table?.DeletionProtectionEnabled).toBe(true)
  })

  it('plan lists deletion protection among the delete refusals, reading only', async () => {
    const { source, target, settings } = await protectedAndMigrated()
    const recording = localClient(process.env.DYNAMODB_LOCAL_ENDPOINT)
    const commands = recordCommands(recording)
    try {
      const planned = await planPair(testContext(recording), { source, target }, settings)
      expect(planned.plan?.deleteRefusals.map((r) => r.message)).toEqual([`${source} has deletion protection on`])
      const lifted = await planPair(testContext(recording), { source, target }, { ...settings, disableDeletionProtection: true })
      expect(lifted.plan?.deleteRefusals).toEqual([])
    } finally {
      recording.destroy()
    }
    // DynamoDB Local answers DescribeTimeToLive / DescribeContinuousBackups: still only reads.
    expect(commands).toContain('DescribeTimeToLiveCommand')
    expect(commands.filter((name) => !/^(Describe\w+|List\w+|Scan)Command$/.test(name))).toEqual([])
  })

  it('refuses to delete a source with deletion protection (DELETE_REFUSED), and deletes it with disableDeletionProtection', async () => {
    const { source, target, settings, backup } = await protectedAndMigrated()
    const before = await tableStates(client, [source, target])
    const error = await refusal(deleteSource(testContext(client), { source, target }, backup, settings))
    expect(error.message).toContain('deletion protection')
    expect(error.message).toContain('disable-deletion-protection')
    expect(await tableStates(client, [source, target])).toEqual(before)
    expect((await client.send(new DescribeTableCommand({ TableName: source }))).Table?.DeletionProtectionEnabled).toBe(true)

    const result = await deleteSource(testContext(client), { source, target }, backup, { ...settings, disableDeletionProtection: true })
    expect(result.status).toBe('deleted')
    expect(await describeTable(testContext(client), source)).toBeUndefined()
    expect(await tableStates(client, [target])).toEqual({ [target]: before[target] })
    // The target keeps its own protection.
    expect((await client.send(new DescribeTableCommand({ TableName: target }))).Table?.DeletionProtectionEnabled).toBe(true)
  })

  it('deletes an unprotected source on DynamoDB Local too (live ItemCount does not fool the checks)', async () => {
    const source = uniqueName('local-plain-src')
    const target = uniqueName('local-plain-dst')
    created.push(source, target)
    await createTable(client, orderTrackingSchema(source))
    await putItems(client, source, orderItems(30))
    const settings = settingsFor(backupDir, { confirmDelete: [source] })
    const migrated = await migratePair(testContext(client), { source, target }, settings)
    expect(migrated.status).toBe('verified')
    const result = await deleteSource(testContext(client), { source, target }, await readManifest(migrated.backup!.dir), settings)
    expect(result.status).toBe('deleted')
    expect(await describeTable(testContext(client), source)).toBeUndefined()
  })
})
