// runMigrations over several pairs: migrate, then verify later from the backup folder (the
// newest backup of each source wins); one pair's failure never hides another's success.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { promises as fs } from 'node:fs'
import path from 'node:path'
import { DeleteItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb'
import { runMigrations } from '../../src/engine/run.js'
import { readManifest } from '../../src/backup/manifest.js'
import { backupTable } from '../../src/engine/backup.js'
import { describeTable, readTableSchema } from '../../src/dynamo/tables.js'
import { localClient, orderItems, orderTrackingSchema, putItems, RecordingReporter, settingsFor, tempDir, uniqueName } from '../helpers/dynamo.js'
import { createTable, dropTables, manifestsUnder, tableStates, testContext } from './support.js'

const client = localClient()
const created: string[] = []
const dirs: string[] = []

afterAll(async () => {
  await dropTables(client, created)
  client.destroy()
  await Promise.all(dirs.map((d) => fs.rm(d, { recursive: true, force: true })))
})

async function backupDir() {
  const dir = await tempDir('ddb-verify-mode-')
  dirs.push(dir)
  return dir
}

async function source(count: number, prefix: string) {
  const name = uniqueName(`${prefix}-src`)
  created.push(name)
  await createTable(client, orderTrackingSchema(name))
  await putItems(client, name, orderItems(count, { seed: name }))
  return name
}

function target(prefix: string) {
  const name = uniqueName(`${prefix}-dst`)
  created.push(name)
  return name
}

describe('migrate then verify, several pairs', () => {
  let dir: string
  let pairs: Array<{ source: string; target: string }>

  beforeAll(async () => {
    dir = await backupDir()
    pairs = [
      { source: await source(120, 'multi-a'), target: target('multi-a') },
      { source: await source(45, 'multi-b'), target: target('multi-b') }
    ]
  })

  it('migrates two pairs, each verified with its own backup', async () => {
    const results = await runMigrations(testContext(client), { mode: 'migrate', pairs, settings: settingsFor(dir, { tableConcurrency: 2 }) })
    expect(results.map((r) => [r.source, r.target, r.status, r.itemsWritten])).toEqual([
      [pairs[0]!.source, pairs[0]!.target, 'verified', 120],
      [pairs[1]!.source, pairs[1]!.target, 'verified', 45]
    ])
    const manifests = await manifestsUnder(dir)
    expect(manifests).toHaveLength(2)
    const tables = await Promise.all(manifests.map(async (m) => (await readManifest(m)).manifest.table.name))
    expect(tables.sort()).toEqual(pairs.map((p) => p.source).sort())
  })

  it('verify mode with backupLocation = the backup dir finds each backup and verifies both, writing nothing', async () => {
    const tables = pairs.flatMap((p) => [p.source, p.target])
    const before = await tableStates(client, tables)
    const results = await runMigrations(testContext(client), { mode: 'verify', pairs, settings: settingsFor(dir), backupLocation: dir })
    expect(results.map((r) => [r.mode, r.status, r.itemsVerified])).toEqual([
      ['verify', 'verified', 120],
      ['verify', 'verified', 45]
    ])
    for (const r of results) expect(r.actual).toEqual(r.expected)
    expect(await tableStates(client, tables)).toEqual(before)
    // The backup's digest is the source's, read live.
    expect(results[0]?.expected).toEqual(before[pairs[0]!.source])
  })

  it('verify mode reports a tampered target as a mismatch with the differing keys, and the other pair still verified', async () => {
    const [a, b] = pairs as [{ source: string; target: string }, { source: string; target: string }]
    await client.send(new DeleteItemCommand({ TableName: b.target, Key: { companyId: { S: 'company-4' }, recordId: { S: 'record-0000004' } } }))
    await client.send(new PutItemCommand({ TableName: b.target, Item: { companyId: { S: 'company-x' }, recordId: { S: 'record-x' } } }))
    const reporter = new RecordingReporter()
    const results = await runMigrations(testContext(client, reporter), { mode: 'verify', pairs, settings: settingsFor(dir), backupLocation: dir })
    expect(results[0]).toMatchObject({ source: a.source, status: 'verified' })
    expect(results[1]).toMatchObject({ source: b.source, status: 'mismatch', error: { code: 'VERIFY_MISMATCH' }, diff: { missing: 1, extra: 1, changed: 0 } })
    expect(results[1]?.diff?.examples.map((e) => `${e.kind} ${e.key}`).sort()).toEqual(['extra companyId="company-x", recordId="record-x"', 'missing companyId="company-4", recordId="record-0000004"'])
    expect(reporter.infos.some((m) => m.includes(`${b.target}: NOT verified`))).toBe(true)
  })
})

describe('failures stay in their own pair', () => {
  it('a missing source in migrate mode is refused while the other pair is migrated and verified', async () => {
    const dir = await backupDir()
    const good = { source: await source(30, 'iso-good'), target: target('iso-good') }
    const missing = { source: uniqueName('iso-missing-src'), target: target('iso-missing') }
    const reporter = new RecordingReporter()
    // The failing pair first, and one table at a time: its failure must not stop the queue.
    const results = await runMigrations(testContext(client, reporter), { mode: 'migrate', pairs: [missing, good], settings: settingsFor(dir, { tableConcurrency: 1 }) })
    expect(results[0]).toMatchObject({ source: missing.source, status: 'refused', error: { code: 'SOURCE_MISSING' } })
    expect(results[1]).toMatchObject({ source: good.source, status: 'verified', itemsWritten: 30 })
    expect(reporter.warnings.some((w) => w.includes(missing.source) && w.includes('refused'))).toBe(true)
    expect(await tableStates(client, [missing.target])).toEqual({ [missing.target]: 'missing' })

    // Verify mode: the pair without a backup fails on its own, the other verifies.
    const verify = await runMigrations(testContext(client), { mode: 'verify', pairs: [missing, good], settings: settingsFor(dir), backupLocation: dir })
    expect(verify[0]).toMatchObject({ source: missing.source, status: 'refused', error: { code: 'BACKUP_INVALID' } })
    expect(verify[0]?.error?.message).toContain(missing.source)
    expect(verify[1]).toMatchObject({ source: good.source, status: 'verified', itemsVerified: 30 })
  })

  it('verify mode with a missing target refuses that pair only', async () => {
    const dir = await backupDir()
    const a = { source: await source(10, 'iso-v-a'), target: target('iso-v-a') }
    const b = { source: await source(11, 'iso-v-b'), target: target('iso-v-b') }
    const migrated = await runMigrations(testContext(client), { mode: 'migrate', pairs: [a, b], settings: settingsFor(dir) })
    expect(migrated.map((r) => r.status)).toEqual(['verified', 'verified'])
    await dropTables(client, [a.target])
    const results = await runMigrations(testContext(client), { mode: 'verify', pairs: [a, b], settings: settingsFor(dir), backupLocation: dir })
    expect(results[0]).toMatchObject({ status: 'refused', error: { code: 'TARGET_MISSING' } })
    expect(results[0]?.error?.message).toContain('does not exist')
    expect(results[1]).toMatchObject({ status: 'verified', itemsVerified: 11 })
  })
})

describe('verify picks the newest backup of each source', () => {
  it('after a second migration of a changed source, verify uses the second backup', async () => {
    const dir = await backupDir()
    const src = await source(20, 'newest')
    const first = target('newest-1')
    const second = target('newest-2')
    const one = await runMigrations(testContext(client), { mode: 'migrate', pairs: [{ source: src, target: first }], settings: settingsFor(dir) })
    expect(one[0]?.status).toBe('verified')
    await client.send(new PutItemCommand({ TableName: src, Item: { companyId: { S: 'company-new' }, recordId: { S: 'record-new' } } }))
    // Backup folders are named by time to the millisecond: make sure the second one is later.
    await new Promise((r) => setTimeout(r, 5))
    const two = await runMigrations(testContext(client), { mode: 'migrate', pairs: [{ source: src, target: second }], settings: settingsFor(dir) })
    expect(two[0]).toMatchObject({ status: 'verified', itemsWritten: 21 })
    expect(await manifestsUnder(dir)).toHaveLength(2)

    const results = await runMigrations(testContext(client), {
      mode: 'verify',
      pairs: [
        { source: src, target: second },
        { source: src, target: first }
      ],
      settings: settingsFor(dir),
      backupLocation: dir
    })
    // Both checked against the newest backup (21 items): the second target matches it, the first lacks the new item.
    expect(results[0]).toMatchObject({ status: 'verified', expected: { count: 21 } })
    expect(results[1]).toMatchObject({ status: 'mismatch', expected: { count: 21 }, diff: { missing: 1, extra: 0, changed: 0 } })

    // Pointing at the first backup's folder (or its manifest.json) verifies against that one instead.
    const firstBackup = one[0]!.backup!
    for (const location of [firstBackup.dir, firstBackup.manifest, path.relative(process.cwd(), firstBackup.manifest)]) {
      const [r] = await runMigrations(testContext(client), { mode: 'verify', pairs: [{ source: src, target: first }], settings: settingsFor(dir), backupLocation: location })
      expect(r).toMatchObject({ status: 'verified', expected: { count: 20 } })
    }
  })
})

describe('one source, two targets in the same run', () => {
  it('two backups asked for the same folder get two folders (the second is suffixed), both intact', async () => {
    const dir = await backupDir()
    const src = await source(50, 'same-folder')
    const ctx = testContext(client)
    const description = (await describeTable(ctx, src))!
    const schema = await readTableSchema(ctx, description, [])
    const folder = path.join(dir, 'fixed-name')
    const options = { table: src, description, schema, dir: folder, totalSegments: 2, consistentRead: true }
    const [one, two] = await Promise.all([backupTable(ctx, options), backupTable(ctx, options)])
    expect([one.dir, two.dir].sort()).toEqual([folder, `${folder}-2`])
    for (const b of [one, two]) {
      const reread = await readManifest(b.dir)
      expect(reread.manifest).toMatchObject({ itemCount: 50, digest: one.manifest.digest })
    }
  })

  it('migrates one source into two targets at once, each verified with its own backup', async () => {
    const dir = await backupDir()
    const src = await source(300, 'fan-out')
    const pairs = [
      { source: src, target: target('fan-out-1') },
      { source: src, target: target('fan-out-2') }
    ]
    const results = await runMigrations(testContext(client), { mode: 'migrate', pairs, settings: settingsFor(dir, { tableConcurrency: 2 }) })
    expect(results.map((r) => [r.status, r.itemsWritten, r.error?.message])).toEqual([
      ['verified', 300, undefined],
      ['verified', 300, undefined]
    ])
    expect(results[0]?.backup?.dir).not.toBe(results[1]?.backup?.dir)
    expect(await manifestsUnder(dir)).toHaveLength(2)
  })
})
