// Fan-out across runners: three shards of one migration run as three separate processes (as a
// workflow matrix runs them, each with its own backup folder), then `verify` combines the
// shards' manifests — counts and digests add up — and checks the whole target. A missing or
// duplicated shard, or a lone shard, is refused with nothing verified.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { spawn } from 'node:child_process'
import { promises as fs } from 'node:fs'
import path from 'node:path'
import { readManifest } from '../../src/backup/manifest.js'
import { locateBackup } from '../../src/backup/locate.js'
import type { MigrationResult } from '../../src/engine/result.js'
import { runMigrations } from '../../src/engine/run.js'
import { scanDigest } from '../../src/engine/scan-digest.js'
import { dynaliteEndpoint, localClient, orderItems, orderTrackingSchema, putItems, settingsFor, tempDir, uniqueName } from '../helpers/dynamo.js'
import { createTable, dropTables, manifestsUnder, testContext } from './support.js'

const client = localClient()
const created: string[] = []
const SHARDS = 3
const SEGMENTS = 6
const ITEMS = 1500
let root: string
let source: string
let target: string
let shardResults: MigrationResult[]

function runShard(shard: number, backupDir: string): Promise<MigrationResult> {
  const args = JSON.stringify({ endpoint: dynaliteEndpoint(), source, target, backupDir, shard, shardCount: SHARDS, scanSegments: SEGMENTS })
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/shard-runner.ts', args], { cwd: path.resolve(import.meta.dirname, '../..'), stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    proc.stdout.on('data', (d: Buffer) => (out += d.toString()))
    proc.stderr.on('data', (d: Buffer) => (err += d.toString()))
    proc.on('error', reject)
    proc.on('exit', (code) => {
      const last = out.trim().split('\n').at(-1) ?? ''
      try {
        const result = JSON.parse(last) as MigrationResult
        if (code !== 0) return reject(new Error(`shard ${shard} exited ${code}: ${JSON.stringify(result.error)}\n${err}`))
        resolve(result)
      } catch {
        reject(new Error(`shard ${shard} exited ${code} without a result:\n${out}\n${err}`))
      }
    })
  })
}

/** A folder holding copies of the given shard backups, as the verify job would download them. */
async function folderWith(name: string, shards: number[]): Promise<string> {
  const dir = path.join(root, name)
  for (const [n, shard] of shards.entries()) {
    const from = path.dirname((await manifestsUnder(path.join(root, `shard-${shard}`)))[0] as string)
    await fs.cp(from, path.join(dir, `artifact-${n}`, path.basename(from)), { recursive: true })
  }
  return dir
}

async function verify(location: string): Promise<MigrationResult> {
  const [result] = await runMigrations(testContext(client), { mode: 'verify', pairs: [{ source, target }], settings: settingsFor(root), backupLocation: location })
  return result as MigrationResult
}

beforeAll(async () => {
  root = await tempDir('ddb-shards-')
  source = uniqueName('orders-shard-src')
  target = uniqueName('orders-shard-dst')
  created.push(source, target)
  await createTable(client, orderTrackingSchema(source))
  await putItems(client, source, orderItems(ITEMS, { pad: 800, seed: source }))
  // The three shards start together, as a matrix does: they race to create the target.
  shardResults = await Promise.all(Array.from({ length: SHARDS }, (_, shard) => runShard(shard, path.join(root, `shard-${shard}`))))
}, 120_000)

afterAll(async () => {
  await dropTables(client, created)
  client.destroy()
  await fs.rm(root, { recursive: true, force: true })
})

describe('three shards as separate processes, then a combined verify', () => {
  it('each shard backs up only its share of the segments and copies it; none verifies alone', async () => {
    expect(shardResults.map((r) => r.status)).toEqual(['copied', 'copied', 'copied'])
    expect(shardResults.reduce((a, r) => a + (r.itemsWritten ?? 0), 0)).toBe(ITEMS)
    for (const [shard, result] of shardResults.entries()) {
      const { manifest } = await readManifest(result.backup!.manifest)
      expect(manifest.scan).toMatchObject({ totalSegments: SEGMENTS, shard, shardCount: SHARDS, segments: [shard, shard + SHARDS] })
      expect(manifest.files.map((f) => f.segment)).toEqual([shard, shard + SHARDS])
      expect(result.itemsScanned).toBe(manifest.itemCount)
      expect(result.warnings.join('\n')).toMatch(/run mode verify with the backups of all 3 shards/)
    }
  })

  it('verify given the folder of every shard combines them (digests add up) and verifies the whole target', async () => {
    const result = await verify(await folderWith('all', [0, 1, 2]))
    expect(result.status).toBe('verified')
    expect(result.itemsVerified).toBe(ITEMS)
    const whole = (await scanDigest(testContext(client), source, { segments: 2, consistentRead: true })).toJSON()
    expect(result.expected).toEqual(whole)
    expect(result.actual).toEqual(whole)
  })

  it('the combined backup lists every shard file once, relative to the common folder, and copies like any backup', async () => {
    const combined = await locateBackup(path.join(root, 'all'), source)
    expect(combined.manifest.scan.shardCount).toBeUndefined()
    expect(combined.manifest.scan.segments).toEqual([0, 1, 2, 3, 4, 5])
    expect(combined.manifest.itemCount).toBe(ITEMS)
    expect(combined.manifest.files).toHaveLength(SEGMENTS)
    for (const f of combined.manifest.files) await expect(fs.stat(path.join(combined.dir, f.path))).resolves.toBeTruthy()
    const copy = uniqueName('orders-shard-copy')
    created.push(copy)
    const [migrated] = await runMigrations(testContext(client), { mode: 'migrate', pairs: [{ source, target: copy }], settings: settingsFor(await tempDir('ddb-shards-copy-')), backupLocation: path.join(root, 'all') })
    expect(migrated?.status).toBe('verified')
    expect(migrated?.itemsWritten).toBe(ITEMS)
  })

  it('refuses a missing shard, naming it', async () => {
    const result = await verify(await folderWith('missing', [0, 2]))
    expect(result.status).toBe('refused')
    expect(result.error?.code).toBe('BACKUP_MISMATCH')
    expect(result.error?.message).toMatch(/shard 1 of 3 missing/)
  })

  it('refuses a duplicated shard', async () => {
    const result = await verify(await folderWith('duplicated', [0, 1, 1, 2]))
    expect(result.status).toBe('refused')
    expect(result.error?.code).toBe('BACKUP_MISMATCH')
    expect(result.error?.message).toMatch(/Shard 1 of 3 .* appears twice/)
  })

  it('refuses one shard given on its own', async () => {
    const result = await verify(shardResults[1]!.backup!.manifest)
    expect(result.status).toBe('refused')
    expect(result.error?.code).toBe('BACKUP_MISMATCH')
    expect(result.error?.message).toMatch(/shard 1 of 3 .* not the whole table/)
  })

  it('refuses shards of different scans', async () => {
    const dir = await folderWith('other-scan', [0, 1, 2])
    const [file] = (await manifestsUnder(dir)).filter((m) => m.includes('artifact-2'))
    const manifest = JSON.parse(await fs.readFile(file as string, 'utf8'))
    manifest.scan.totalSegments = 9
    manifest.scan.segments = [2, 5, 8]
    await fs.writeFile(file as string, JSON.stringify(manifest))
    const result = await verify(dir)
    expect(result.status).toBe('refused')
    expect(result.error?.message).toMatch(/different scans/)
  })

  it("a shard re-run given its own backup copies from it without a new scan; another shard's backup is refused", async () => {
    const own = await folderWith('own-2', [2])
    const dir = await tempDir('ddb-shards-rerun-')
    const settings = settingsFor(dir, { scanSegments: SEGMENTS, shard: 2, shardCount: SHARDS })
    const [rerun] = await runMigrations(testContext(client), { mode: 'migrate', pairs: [{ source, target }], settings, backupLocation: own })
    expect(rerun?.status).toBe('copied')
    expect(rerun?.itemsWritten).toBe(shardResults[2]!.itemsWritten)
    expect(await manifestsUnder(dir)).toEqual([])
    const [wrong] = await runMigrations(testContext(client), { mode: 'migrate', pairs: [{ source, target }], settings: { ...settings, shard: 0 }, backupLocation: own })
    expect(wrong?.status).toBe('refused')
    expect(wrong?.error).toMatchObject({ code: 'BACKUP_MISMATCH', message: expect.stringMatching(/is shard 2 of 3, but this run is shard 0 of 3/) })
    await fs.rm(dir, { recursive: true, force: true })
  })

  it('delete refuses a lone shard, and accepts the combined backup once the target matches', async () => {
    const settings = { ...settingsFor(root), confirmDelete: [source] }
    const [lone] = await runMigrations(testContext(client), { mode: 'delete', pairs: [{ source, target }], settings, backupLocation: shardResults[0]!.backup!.manifest })
    expect(lone?.status).toBe('refused')
    expect(lone?.error?.message).toMatch(/one shard of a fanned-out migration/)
    const [deleted] = await runMigrations(testContext(client), { mode: 'delete', pairs: [{ source, target }], settings, backupLocation: path.join(root, 'all') })
    expect(deleted?.status).toBe('deleted')
  })
})
