import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { promises as fs } from 'node:fs'
import path from 'node:path'
import { gzipSync } from 'node:zlib'
import { runMigrations } from '../../src/engine/run.js'
import { scanDigest } from '../../src/engine/scan-digest.js'
import { createTable, dropTable, localClient, orderItems, orderTrackingSchema, putItems, settingsFor, tempDir, testContext, uniqueName } from '../helpers/dynamo.js'

const client = localClient()
const ctx = testContext(client)
const tables: string[] = []
let work: string

beforeAll(async () => {
  work = await tempDir()
})
afterAll(async () => {
  await Promise.all(tables.map((t) => dropTable(client, t)))
  await fs.rm(work, { recursive: true, force: true })
  client.destroy()
})

const items = orderItems(120, { seed: 'restore' })
// The values a scan returns, so the digest of the written table must equal the file's.
const bigNumberItem = { companyId: { S: 'company-x' }, recordId: { S: 'record-big' }, createdAt: { S: 'z' }, amount: { N: '12345678901234567890123456789012345678' } }

describe('restore', () => {
  it("restores this tool's own backup into a new table created from the manifest's schema", async () => {
    const source = uniqueName('order-tracking-qa')
    const target = uniqueName('qa-order-tracking')
    const restored = uniqueName('restored-orders')
    tables.push(source, target, restored)
    await createTable(client, orderTrackingSchema(source))
    await putItems(client, source, [...items, bigNumberItem])
    const settings = settingsFor(path.join(work, 'native'))
    const [migrated] = await runMigrations(ctx, { mode: 'migrate', pairs: [{ source, target }], settings })
    expect(migrated?.status).toBe('verified')
    const [result] = await runMigrations(ctx, { mode: 'restore', pairs: [{ source, target: restored }], settings, backupLocation: migrated!.backup!.dir })
    expect(result).toMatchObject({ status: 'verified', itemsWritten: 121 })
    expect((await scanDigest(ctx, restored, { segments: 2 })).toJSON()).toEqual(migrated?.expected)
  })

  it('restores the output of `aws dynamodb scan --output json`, one file or several pages', async () => {
    const target = uniqueName('qa-order-tracking')
    tables.push(target)
    await createTable(client, orderTrackingSchema(target))
    const all = [...items, bigNumberItem]
    const dir = path.join(work, 'scan-pages')
    await fs.mkdir(dir, { recursive: true })
    // Two pages in two files, and a third page concatenated after the second in one file.
    await fs.writeFile(path.join(dir, 'page-1.json'), JSON.stringify({ Items: all.slice(0, 50), Count: 50, ScannedCount: 50, LastEvaluatedKey: {} }, null, 4))
    await fs.writeFile(
      path.join(dir, 'page-2.json'),
      JSON.stringify({ Items: all.slice(50, 100), Count: 50, ScannedCount: 50 }) + '\n' + JSON.stringify({ Items: all.slice(100), Count: all.length - 100, ScannedCount: all.length - 100 })
    )
    const [result] = await runMigrations(ctx, { mode: 'restore', pairs: [{ source: 'order-tracking-qa', target }], settings: settingsFor(path.join(work, 'b1')), backupLocation: dir })
    expect(result).toMatchObject({ status: 'verified', itemsWritten: 121, itemsVerified: 121 })
    const single = path.join(work, 'backup-order-tracking-qa.json')
    await fs.writeFile(single, JSON.stringify({ Items: all, Count: all.length, ScannedCount: all.length, ConsumedCapacity: null }))
    const target2 = uniqueName('qa-order-tracking')
    tables.push(target2)
    await createTable(client, orderTrackingSchema(target2))
    const [second] = await runMigrations(ctx, { mode: 'restore', pairs: [{ source: 'order-tracking-qa', target: target2 }], settings: settingsFor(path.join(work, 'b2')), backupLocation: single })
    expect(second).toMatchObject({ status: 'verified', itemsWritten: 121 })
    expect(second?.expected).toEqual(result?.expected)
  })

  it('restores DynamoDB S3 export files (gzipped {"Item": …} lines)', async () => {
    const target = uniqueName('qa-order-tracking')
    tables.push(target)
    await createTable(client, orderTrackingSchema(target))
    const dir = path.join(work, 'AWSDynamoDB', '01700000000000-abcdef12', 'data')
    await fs.mkdir(dir, { recursive: true })
    const lines = (list: object[]) => gzipSync(list.map((item) => JSON.stringify({ Item: item })).join('\n') + '\n')
    await fs.writeFile(path.join(dir, 'aaaa.json.gz'), lines(items.slice(0, 60)))
    await fs.writeFile(path.join(dir, 'bbbb.json.gz'), lines([...items.slice(60), bigNumberItem]))
    await fs.writeFile(path.join(dir, '..', 'manifest-summary.json'), JSON.stringify({ itemCount: 121, outputFormat: 'DYNAMODB_JSON' }))
    const [result] = await runMigrations(ctx, { mode: 'restore', pairs: [{ source: 'order-tracking', target }], settings: settingsFor(path.join(work, 'b3')), backupLocation: path.join(work, 'AWSDynamoDB') })
    expect(result).toMatchObject({ status: 'verified', itemsWritten: 121 })
  })

  it('refuses a scan file when the target is missing (the format carries no schema), writing nothing', async () => {
    const file = path.join(work, 'lonely.json')
    await fs.writeFile(file, JSON.stringify({ Items: items.slice(0, 3), Count: 3 }))
    const [result] = await runMigrations(ctx, { mode: 'restore', pairs: [{ source: 'x-table', target: uniqueName('never-created') }], settings: settingsFor(path.join(work, 'b4')), backupLocation: file })
    expect(result).toMatchObject({ status: 'refused', error: { code: 'TARGET_MISSING' } })
  })

  it('refuses a non-empty target unless allowed', async () => {
    const target = uniqueName('qa-order-tracking')
    tables.push(target)
    await createTable(client, orderTrackingSchema(target))
    await putItems(client, target, orderItems(2, { seed: 'other' }))
    const file = path.join(work, 'three.json')
    await fs.writeFile(file, JSON.stringify({ Items: items.slice(0, 3), Count: 3 }))
    const before = (await scanDigest(ctx, target, { segments: 1 })).toJSON()
    const [result] = await runMigrations(ctx, { mode: 'restore', pairs: [{ source: 'x', target }], settings: settingsFor(path.join(work, 'b5')), backupLocation: file })
    expect(result).toMatchObject({ status: 'refused', error: { code: 'TARGET_NOT_EMPTY' } })
    expect((await scanDigest(ctx, target, { segments: 1 })).toJSON()).toEqual(before)
  })
})

