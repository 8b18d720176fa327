import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { spawn } from 'node:child_process'
import { promises as fs } from 'node:fs'
import path from 'node:path'
import { scanDigest } from '../../src/engine/scan-digest.js'
import { createTable, dropTable, dynaliteEndpoint, localClient, orderItems, orderTrackingSchema, putItems, tempDir, testContext, uniqueName } from '../helpers/dynamo.js'
import { runBundledAction } from '../helpers/run-action.js'

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

function inputsFor(source: string, target: string, backupDir: string, extra: Record<string, string> = {}) {
  return { mode: 'migrate', migrations: `${source} -> ${target}`, 'aws-region': 'us-east-1', 'endpoint-url': dynaliteEndpoint(), 'backup-dir': backupDir, 'upload-artifact': 'false', ...extra }
}

/** Starts the bundled action and SIGKILLs it once `until` says so (or after `afterMs`). */
async function startAndKill(inputs: Record<string, string>, until: (stdout: string) => boolean, afterMs: number): Promise<string> {
  const env = { PATH: process.env.PATH, AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local', GITHUB_RUN_ID: '1', ...Object.fromEntries(Object.entries(inputs).map(([k, v]) => [`INPUT_${k.toUpperCase()}`, v])) }
  const child = spawn(process.execPath, ['dist/index.js'], { env })
  let stdout = ''
  child.stdout.on('data', (d) => (stdout += d))
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      if (until(stdout)) {
        clearInterval(timer)
        setTimeout(() => {
          child.kill('SIGKILL')
          resolve()
        }, afterMs)
      }
    }, 20)
    child.on('exit', () => {
      clearInterval(timer)
      resolve()
    })
  })
  await new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r(null) : child.on('exit', r)))
  return stdout
}

describe('resume after the runner dies (SIGKILL)', () => {
  it('a migrate killed mid-copy resumes from its checkpoint and verifies', async () => {
    const source = uniqueName('order-tracking-qa')
    const target = uniqueName('qa-order-tracking')
    tables.push(source, target)
    await createTable(client, orderTrackingSchema(source))
    await putItems(client, source, orderItems(3000))
    const backupDir = path.join(work, 'copy-kill')
    // A write-rate cap makes the copy take a few seconds, so the kill lands in the middle of it.
    const stdout = await startAndKill(inputsFor(source, target, backupDir, { 'max-write-rate': '1000', 'write-concurrency': '2' }), (out) => out.includes('creating it with the schema'), 1200)
    expect(stdout).not.toContain('verified')
    const partial = (await scanDigest(ctx, target, { segments: 1 })).count
    expect(partial).toBeGreaterThan(0)
    expect(partial).toBeLessThan(3000)

    const rerun = await runBundledAction(inputsFor(source, target, backupDir))
    expect(rerun.code).toBe(0)
    const resumedFrom = Number(/resuming the copy, (\d+) of 3000/.exec(rerun.stdout)?.[1])
    expect(resumedFrom).toBeGreaterThan(0)
    expect(resumedFrom).toBeLessThanOrEqual(partial)
    expect(rerun.stdout).toContain('the source is not scanned again')
    expect(rerun.outputs.verified).toBe('true')
    const result = JSON.parse(rerun.outputs.result as string)[0]
    expect(result.actual).toEqual(result.expected)
    expect((await scanDigest(ctx, target, { segments: 2 })).toJSON()).toEqual((await scanDigest(ctx, source, { segments: 2 })).toJSON())
  })

  it('kills at several points of backup, copy and verify: every rerun finishes verified', async () => {
    // Seeded kill points (ms after start): during backup, around target creation, in copy and verify.
    for (const killAfterMs of [150, 400, 700, 1100]) {
      const source = uniqueName('user-settings-qa')
      const target = uniqueName('qa-user-settings')
      tables.push(source, target)
      await createTable(client, orderTrackingSchema(source))
      await putItems(client, source, orderItems(1500, { pad: 300 }))
      const backupDir = path.join(work, `kill-${killAfterMs}`)
      await startAndKill(inputsFor(source, target, backupDir, { 'max-write-rate': '3000' }), () => true, killAfterMs)
      const rerun = await runBundledAction(inputsFor(source, target, backupDir))
      expect({ killAfterMs, code: rerun.code, verified: rerun.outputs.verified }).toEqual({ killAfterMs, code: 0, verified: 'true' })
      expect((await scanDigest(ctx, target, { segments: 2 })).toJSON()).toEqual((await scanDigest(ctx, source, { segments: 2 })).toJSON())
    }
  })
})
