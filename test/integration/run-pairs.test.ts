import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { promises as fs } from 'node:fs'
import { runMigrations } from '../../src/engine/run.js'
import { scanDigest } from '../../src/engine/scan-digest.js'
import { createTable, dropTable, localClient, orderItems, orderTrackingSchema, putItems, settingsFor, tempDir, testContext, uniqueName } from '../helpers/dynamo.js'

const client = localClient()
const ctx = testContext(client)
const tables: string[] = []
let backupDir: string

beforeAll(async () => {
  backupDir = await tempDir()
})
afterAll(async () => {
  await Promise.all(tables.map((t) => dropTable(client, t)))
  await fs.rm(backupDir, { recursive: true, force: true })
  client.destroy()
})

describe('several pairs in one run', () => {
  it('refuses a table that is one pair’s target and another’s source, and runs the unrelated pair', async () => {
    const [a, b, c, d, e] = ['a', 'b', 'c', 'd', 'e'].map((x) => uniqueName(`chain-${x}`)) as [string, string, string, string, string]
    tables.push(a, b, c, d, e)
    for (const t of [a, b, d]) await createTable(client, orderTrackingSchema(t))
    await putItems(client, a, orderItems(10))
    await putItems(client, d, orderItems(5))
    const before = (await scanDigest(ctx, b, { segments: 1 })).toJSON()
    const results = await runMigrations(ctx, { mode: 'migrate', pairs: [{ source: a, target: b }, { source: b, target: c }, { source: d, target: e }], settings: settingsFor(backupDir) })
    expect(results.map((r) => [r.status, r.error?.code])).toEqual([
      ['refused', 'CHAINED_PAIRS'],
      ['refused', 'CHAINED_PAIRS'],
      ['verified', undefined]
    ])
    expect((await scanDigest(ctx, b, { segments: 1 })).toJSON()).toEqual(before)
  })

  it('verify of a missing target is a TARGET_MISSING refusal', async () => {
    const source = uniqueName('verify-src')
    const target = uniqueName('verify-dst')
    tables.push(source, target)
    await createTable(client, orderTrackingSchema(source))
    await putItems(client, source, orderItems(5))
    expect((await runMigrations(ctx, { mode: 'migrate', pairs: [{ source, target }], settings: settingsFor(backupDir) }))[0]?.status).toBe('verified')
    await dropTable(client, target)
    const [result] = await runMigrations(ctx, { mode: 'verify', pairs: [{ source, target }], settings: settingsFor(backupDir) })
    expect(result).toMatchObject({ status: 'refused', error: { code: 'TARGET_MISSING' } })
  })

  it('with allow-non-empty-target, delete accepts a target holding every backed-up item plus others', async () => {
    const source = uniqueName('shared-src')
    const target = uniqueName('shared-dst')
    tables.push(source, target)
    await createTable(client, orderTrackingSchema(source))
    await createTable(client, orderTrackingSchema(target))
    await putItems(client, source, orderItems(20))
    await putItems(client, target, orderItems(3, { seed: 'already-there' }).map((i) => ({ ...i, companyId: { S: 'other-company' } })))
    const settings = settingsFor(backupDir, { allowNonEmptyTarget: true, confirmDelete: [source] })
    expect((await runMigrations(ctx, { mode: 'migrate', pairs: [{ source, target }], settings }))[0]?.status).toBe('verified')
    const [deleted] = await runMigrations(ctx, { mode: 'delete', pairs: [{ source, target }], settings })
    expect(deleted?.status).toBe('deleted')
  })
})
