import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { promises as fs } from 'node:fs'
import { DescribeTableCommand, DeleteItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb'
import { migratePair } from '../../src/engine/migrate.js'
import { readManifest } from '../../src/backup/manifest.js'
import { MigrationError } from '../../src/errors.js'
import { createTable, dropTable, localClient, orderItems, orderTrackingSchema, putItems, settingsFor, tempDir, testContext, uniqueName, RecordingReporter } from '../helpers/dynamo.js'

const client = localClient()
const created: string[] = []
let backupDir: string

beforeAll(async () => {
  backupDir = await tempDir()
})
afterAll(async () => {
  await Promise.all(created.map((t) => dropTable(client, t)))
  await fs.rm(backupDir, { recursive: true, force: true })
  client.destroy()
})

async function sourceWith(count: number, pad = 100) {
  const source = uniqueName('order-tracking-qa')
  const target = uniqueName('qa-order-tracking')
  created.push(source, target)
  await createTable(client, orderTrackingSchema(source))
  await putItems(client, source, orderItems(count, { pad }))
  return { source, target }
}

describe('migrate (backup → create target → copy → verify)', () => {
  it('copies a table larger than 1 MB across many scan pages and verifies count and digest', async () => {
    const { source, target } = await sourceWith(3000, 1000)
    const reporter = new RecordingReporter()
    const result = await migratePair(testContext(client, reporter), { source, target }, settingsFor(backupDir))
    expect(result.status).toBe('verified')
    expect(result.itemsScanned).toBe(3000)
    expect(result.itemsWritten).toBe(3000)
    expect(result.actual).toEqual(result.expected)
    const { manifest } = await readManifest(result.backup!.manifest)
    expect(manifest.itemCount).toBe(3000)
    expect(manifest.bytes).toBeGreaterThan(3 * 1024 * 1024)
    expect(manifest.files).toHaveLength(3)
    const described = await client.send(new DescribeTableCommand({ TableName: target }))
    expect(described.Table?.GlobalSecondaryIndexes?.map((g) => g.IndexName).sort()).toEqual(['companyId-createdAt-index', 'recordId-index'])
    expect(reporter.events.some((e) => e.phase === 'copy' && e.final)).toBe(true)
  })

  it('refuses a non-empty target and writes nothing', async () => {
    const { source, target } = await sourceWith(10)
    await createTable(client, orderTrackingSchema(target))
    await putItems(client, target, orderItems(1, { seed: 'other' }))
    await expect(migratePair(testContext(client), { source, target }, settingsFor(backupDir))).rejects.toMatchObject({ code: 'TARGET_NOT_EMPTY' })
  })

  it('verification catches a tampered target', async () => {
    const { source, target } = await sourceWith(50)
    const ctx = testContext(client)
    const result = await migratePair(ctx, { source, target }, settingsFor(backupDir))
    expect(result.status).toBe('verified')
    await client.send(new PutItemCommand({ TableName: target, Item: { companyId: { S: 'company-1' }, recordId: { S: 'record-0000001' }, createdAt: { S: 'x' }, amount: { N: '1' } } }))
    await client.send(new DeleteItemCommand({ TableName: target, Key: { companyId: { S: 'company-2' }, recordId: { S: 'record-0000002' } } }))
    const { verifyAgainstBackup } = await import('../../src/engine/verify.js')
    const verify = await verifyAgainstBackup(ctx, await readManifest(result.backup!.dir), { target, segments: 2 })
    expect(verify.verified).toBe(false)
    expect(verify.diff).toMatchObject({ missing: 1, changed: 1, extra: 0 })
    expect(verify.diff?.examples.map((e) => e.key).sort()).toEqual(['companyId="company-1", recordId="record-0000001"', 'companyId="company-2", recordId="record-0000002"'])
  })

  it('refuses the same source and target with one clear error', async () => {
    const error = await migratePair(testContext(client), { source: 'same-table', target: 'same-table' }, settingsFor(backupDir)).catch((e) => e)
    expect(error).toBeInstanceOf(MigrationError)
    expect(error.code).toBe('SAME_SOURCE_AND_TARGET')
  })
})
