// Every refusal is raised before the first write: the tables' count and content digest are the
// same after the refusal as before it (scanDigest), and the error carries a stable code.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { createHash } from 'node:crypto'
import { promises as fs } from 'node:fs'
import path from 'node:path'
import { gunzipSync, gzipSync } from 'node:zlib'
import { migratePair } from '../../src/engine/migrate.js'
import { copyBackup } from '../../src/engine/copy.js'
import { runMigrations } from '../../src/engine/run.js'
import { readManifest, writeManifest, type LoadedBackup } from '../../src/backup/manifest.js'
import { MigrationError } from '../../src/errors.js'
import { localClient, orderItems, orderTrackingSchema, putItems, settingsFor, tempDir, uniqueName } from '../helpers/dynamo.js'
import { createTable, dropTables, manifestsUnder, tableStates, testContext } from './support.js'

const client = localClient()
const created: string[] = []
let backupDir: string

beforeAll(async () => {
  backupDir = await tempDir('ddb-refusals-')
})
afterAll(async () => {
  await dropTables(client, created)
  client.destroy()
  await fs.rm(backupDir, { recursive: true, force: true })
})

async function source(count: number, prefix = 'refuse-src') {
  const name = uniqueName(prefix)
  created.push(name)
  await createTable(client, orderTrackingSchema(name))
  await putItems(client, name, orderItems(count, { seed: name }))
  return name
}

function targetName(prefix = 'refuse-dst') {
  const name = uniqueName(prefix)
  created.push(name)
  return name
}

async function refusal(promise: Promise<unknown>): Promise<MigrationError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e
  )
  expect(error).toBeInstanceOf(MigrationError)
  expect((error as MigrationError).isRefusal).toBe(true)
  return error as MigrationError
}

describe('refusals before anything is written', () => {
  it.each([
    ['too short (source)', 'ab', 'valid-target-name', /Invalid source table name: "ab" is shorter than 3 characters/],
    ['too short (target)', 'valid-source-name', 'x', /Invalid target table name: "x" is shorter than 3 characters/],
    ['bad characters (source)', 'orders table!', 'valid-target-name', /Invalid source table name: "orders table!" has characters other than/],
    ['bad characters (target)', 'valid-source-name', 'orders/v2', /Invalid target table name: "orders\/v2" has characters other than/],
    ['too long', 'valid-source-name', 'a'.repeat(256), /Invalid target table name: .* is longer than 255 characters/]
  ])('refuses an invalid table name, %s: INVALID_TABLE_NAME', async (_what, src, dst, message) => {
    const dir = await tempDir('ddb-refusals-name-')
    try {
      const error = await refusal(migratePair(testContext(client), { source: src, target: dst }, settingsFor(dir)))
      expect(error.code).toBe('INVALID_TABLE_NAME')
      expect(error.message).toMatch(message)
      expect(await manifestsUnder(dir)).toEqual([])
    } finally {
      await fs.rm(dir, { recursive: true, force: true })
    }
  })

  it('refuses a missing source: SOURCE_MISSING, and the target is not created', async () => {
    const src = uniqueName('refuse-missing-src')
    const dst = targetName()
    const error = await refusal(migratePair(testContext(client), { source: src, target: dst }, settingsFor(backupDir)))
    expect(error.code).toBe('SOURCE_MISSING')
    expect(error.message).toContain(src)
    expect(await tableStates(client, [src, dst])).toEqual({ [src]: 'missing', [dst]: 'missing' })
  })

  it('refuses a target that already holds items: TARGET_NOT_EMPTY, both tables unchanged', async () => {
    const src = await source(30)
    const dst = targetName()
    await createTable(client, orderTrackingSchema(dst))
    await putItems(client, dst, orderItems(3, { seed: 'already-there' }))
    const before = await tableStates(client, [src, dst])
    const dir = await tempDir('ddb-refusals-nonempty-')
    try {
      const error = await refusal(migratePair(testContext(client), { source: src, target: dst }, settingsFor(dir)))
      expect(error.code).toBe('TARGET_NOT_EMPTY')
      expect(error.message).toContain(dst)
      expect(error.message).toContain('allow-non-empty-target')
      expect(await tableStates(client, [src, dst])).toEqual(before)
      expect(await manifestsUnder(dir)).toEqual([])
    } finally {
      await fs.rm(dir, { recursive: true, force: true })
    }
  })

  it('with allowNonEmptyTarget the copy happens and verify reports verified, with the extra items counted', async () => {
    const src = await source(30)
    const dst = targetName()
    await createTable(client, orderTrackingSchema(dst))
    // Keys that do not collide with the source's (record ids from 1000000 on).
    const extra = orderItems(5, { seed: 'already-there' }).map((item, i) => ({ ...item, recordId: { S: `record-${1_000_000 + i}` } }))
    await putItems(client, dst, extra)
    const result = await migratePair(testContext(client), { source: src, target: dst }, settingsFor(backupDir, { allowNonEmptyTarget: true }))
    expect(result.status).toBe('verified')
    expect(result.itemsWritten).toBe(30)
    expect(result.expected?.count).toBe(30)
    expect(result.actual?.count).toBe(35)
    expect(result.diff).toMatchObject({ missing: 0, changed: 0, extra: 5 })
    const after = await tableStates(client, [dst])
    expect(after[dst]).toMatchObject({ count: 35 })
  })

  it('refuses a target named by two pairs in runMigrations: DUPLICATE_TARGET for both, the other pair migrates', async () => {
    const a = await source(10, 'refuse-dup-a')
    const b = await source(10, 'refuse-dup-b')
    const c = await source(12, 'refuse-dup-c')
    const shared = targetName('refuse-dup-shared')
    const other = targetName('refuse-dup-other')
    const before = await tableStates(client, [a, b, c, shared])
    const dir = await tempDir('ddb-refusals-dup-')
    try {
      const results = await runMigrations(testContext(client), {
        mode: 'migrate',
        pairs: [
          { source: a, target: shared },
          { source: c, target: other },
          { source: b, target: shared }
        ],
        settings: settingsFor(dir)
      })
      expect(results.map((r) => [r.source, r.status, r.error?.code])).toEqual([
        [a, 'refused', 'DUPLICATE_TARGET'],
        [c, 'verified', undefined],
        [b, 'refused', 'DUPLICATE_TARGET']
      ])
      expect(results[0]?.error?.message).toContain(shared)
      expect(await tableStates(client, [a, b, c, shared])).toEqual(before)
      expect(await tableStates(client, [other])).toEqual({ [other]: before[c] })
      // Only the pair that ran has a backup.
      const manifests = await manifestsUnder(dir)
      expect(manifests).toHaveLength(1)
      expect((await readManifest(manifests[0]!)).manifest.table.name).toBe(c)
    } finally {
      await fs.rm(dir, { recursive: true, force: true })
    }
  })
})

describe('a damaged backup is refused by copyBackup (BACKUP_MISMATCH) before any write', () => {
  let original: LoadedBackup
  let sourceTable: string

  beforeAll(async () => {
    sourceTable = await source(200, 'refuse-backup-src')
    const dst = targetName('refuse-backup-first')
    // Two segments, so the backup has two data files and the damage can be in the second one.
    const result = await migratePair(testContext(client), { source: sourceTable, target: dst }, settingsFor(backupDir, { scanSegments: 2 }))
    expect(result.status).toBe('verified')
    original = await readManifest(result.backup!.dir)
    expect(original.manifest.files).toHaveLength(2)
    expect(original.manifest.files.every((f) => f.count > 0)).toBe(true)
  })

  /** A copy of the backup in its own folder, changed by `damage`, and a fresh empty target. */
  async function damaged(damage: (backup: LoadedBackup) => Promise<void>): Promise<{ backup: LoadedBackup; target: string; dir: string }> {
    const dir = await tempDir('ddb-damaged-')
    await fs.cp(original.dir, dir, { recursive: true })
    await damage(await readManifest(dir))
    const target = targetName('refuse-backup-dst')
    await createTable(client, orderTrackingSchema(target))
    return { backup: await readManifest(dir), target, dir }
  }

  async function expectRefusedWithNothingWritten(damage: (backup: LoadedBackup) => Promise<void>, message: RegExp) {
    const { backup, target, dir } = await damaged(damage)
    try {
      const before = await tableStates(client, [sourceTable, target])
      const error = await refusal(copyBackup(testContext(client), backup, { target, writeConcurrency: 4, maxWriteRate: 0 }))
      expect(error.code).toBe('BACKUP_MISMATCH')
      expect(error.message).toMatch(message)
      const after = await tableStates(client, [sourceTable, target])
      expect(after).toEqual(before)
      expect(after[target]).toEqual({ count: 0, digest: '0'.repeat(64) })
    } finally {
      await fs.rm(dir, { recursive: true, force: true })
    }
  }

  const lastFile = (b: LoadedBackup) => path.join(b.dir, b.manifest.files[b.manifest.files.length - 1]!.path)

  it('a truncated data file', async () => {
    await expectRefusedWithNothingWritten(async (b) => {
      const file = lastFile(b)
      const data = await fs.readFile(file)
      await fs.writeFile(file, data.subarray(0, Math.floor(data.length / 2)))
    }, /has \d+ bytes, the manifest says \d+ \(truncated or replaced\)/)
  })

  it('a data file edited in place (same size, one byte changed)', async () => {
    await expectRefusedWithNothingWritten(async (b) => {
      const file = lastFile(b)
      const data = await fs.readFile(file)
      data[data.length - 20] = (data[data.length - 20] as number) ^ 0xff
      await fs.writeFile(file, data)
    }, /does not match its SHA-256 in the manifest/)
  })

  it('a data file that is missing', async () => {
    await expectRefusedWithNothingWritten(async (b) => {
      await fs.rm(lastFile(b))
    }, /is missing from/)
  })

  it("the manifest's item count edited", async () => {
    await expectRefusedWithNothingWritten(async (b) => {
      await writeManifest(b.dir, { ...b.manifest, itemCount: b.manifest.itemCount + 1 })
    }, /the manifest says 201 items but its files add up to 200/)
  })

  it("the manifest's item count and a file's count edited consistently", async () => {
    await expectRefusedWithNothingWritten(async (b) => {
      const files = b.manifest.files.map((f, i) => (i === b.manifest.files.length - 1 ? { ...f, count: f.count - 1 } : f))
      await writeManifest(b.dir, { ...b.manifest, itemCount: b.manifest.itemCount - 1, files })
    }, /holds \d+ items, the manifest says \d+/)
  })

  it('a data file with a line removed and the manifest re-signed to match (size and SHA-256)', async () => {
    await expectRefusedWithNothingWritten(async (b) => {
      const entry = b.manifest.files[b.manifest.files.length - 1]!
      const file = path.join(b.dir, entry.path)
      const lines = gunzipSync(await fs.readFile(file)).toString('utf8').split('\n').filter(Boolean)
      const data = gzipSync(lines.slice(1).join('\n') + '\n')
      await fs.writeFile(file, data)
      const files = b.manifest.files.map((f) => (f === entry ? { ...f, bytes: data.length, sha256: createHash('sha256').update(data).digest('hex') } : f))
      await writeManifest(b.dir, { ...b.manifest, files })
    }, /holds \d+ items, the manifest says \d+/)
  })
})
