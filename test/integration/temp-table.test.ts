import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { promises as fs } from 'node:fs'
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb'
import { runMigrations } from '../../src/engine/run.js'
import type { MigrationPair } from '../../src/engine/settings.js'
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

async function tableExists(name: string): Promise<boolean> {
  return client.send(new DescribeTableCommand({ TableName: name })).then(
    () => true,
    () => false
  )
}

describe('the production temp-table flow', () => {
  it('to-temp → delete-source → IaC deploy → from-temp → drop-temp ends with the original data verified in the new table', async () => {
    const name = uniqueName('prod-order-tracking')
    const pair: MigrationPair = { source: name, target: name }
    tables.push(name, `${name}-temp`)
    await createTable(client, orderTrackingSchema(name))
    await putItems(client, name, orderItems(700))
    const original = (await scanDigest(ctx, name, { segments: 2 })).toJSON()
    const settings = settingsFor(backupDir, { confirmDelete: [name] })
    const run = (mode: Parameters<typeof runMigrations>[1]['mode']) => runMigrations(ctx, { mode, pairs: [pair], settings }).then((r) => r[0]!)

    // Out of order: nothing has run yet.
    expect(await run('from-temp')).toMatchObject({ status: 'refused', error: { code: 'BACKUP_INVALID' } })

    const toTemp = await run('to-temp')
    expect(toTemp).toMatchObject({ status: 'verified', itemsWritten: 700, flow: { temp: `${name}-temp`, completed: ['to-temp'] } })

    // from-temp before delete-source is refused, and so is drop-temp.
    expect(await run('from-temp')).toMatchObject({ status: 'refused', error: { code: 'PHASE_ORDER' } })
    expect(await run('drop-temp')).toMatchObject({ status: 'refused', error: { code: 'PHASE_ORDER' } })

    const deleted = await run('delete-source')
    expect(deleted).toMatchObject({ status: 'deleted', flow: { completed: ['to-temp', 'delete-source'] } })
    expect(await tableExists(name)).toBe(false)

    // from-temp without the IaC deploy: the table is missing, refused with the fix.
    expect(await run('from-temp')).toMatchObject({ status: 'refused', error: { code: 'TARGET_MISSING' } })

    // The user's IaC deploy creates the table under the right name.
    await createTable(client, orderTrackingSchema(name))
    const fromTemp = await run('from-temp')
    expect(fromTemp).toMatchObject({ status: 'verified', itemsWritten: 700, flow: { completed: ['to-temp', 'delete-source', 'from-temp'] } })
    expect(fromTemp.actual).toEqual(original)
    expect(fromTemp.flow?.absentSeconds).toBeGreaterThanOrEqual(0)

    const dropped = await run('drop-temp')
    expect(dropped).toMatchObject({ status: 'deleted', flow: { completed: ['to-temp', 'delete-source', 'from-temp', 'drop-temp'] } })
    expect(await tableExists(`${name}-temp`)).toBe(false)
    expect((await scanDigest(ctx, name, { segments: 2 })).toJSON()).toEqual(original)
  })

  it('from-temp refuses an IaC table whose schema does not match the original', async () => {
    const name = uniqueName('prod-user-settings')
    const pair: MigrationPair = { source: name, target: name }
    tables.push(name, `${name}-temp`)
    await createTable(client, orderTrackingSchema(name))
    await putItems(client, name, orderItems(50))
    const settings = settingsFor(backupDir, { confirmDelete: [name] })
    const run = (mode: Parameters<typeof runMigrations>[1]['mode']) => runMigrations(ctx, { mode, pairs: [pair], settings }).then((r) => r[0]!)
    expect((await run('to-temp')).status).toBe('verified')
    expect((await run('delete-source')).status).toBe('deleted')
    const full = orderTrackingSchema(name)
    await createTable(client, {
      ...full,
      AttributeDefinitions: full.AttributeDefinitions!.filter((a) => a.AttributeName !== 'createdAt'),
      GlobalSecondaryIndexes: full.GlobalSecondaryIndexes!.filter((g) => g.IndexName === 'recordId-index')
    })
    const refused = await run('from-temp')
    expect(refused).toMatchObject({ status: 'refused', error: { code: 'SCHEMA_MISMATCH' } })
    expect(refused.error?.message).toContain('companyId-createdAt-index')
    expect((await scanDigest(ctx, name, { segments: 1 })).count).toBe(0)
  })

  it('delete-source refuses a source not named in confirm-delete', async () => {
    const name = uniqueName('prod-inventory')
    tables.push(name, `${name}-temp`)
    await createTable(client, orderTrackingSchema(name))
    await putItems(client, name, orderItems(20))
    const pair = { source: name, target: name }
    const settings = settingsFor(backupDir)
    expect((await runMigrations(ctx, { mode: 'to-temp', pairs: [pair], settings }))[0]?.status).toBe('verified')
    const refused = (await runMigrations(ctx, { mode: 'delete-source', pairs: [pair], settings }))[0]
    expect(refused).toMatchObject({ status: 'refused', error: { code: 'DELETE_REFUSED' } })
    expect(await tableExists(name)).toBe(true)
  })
})
