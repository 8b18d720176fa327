import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { PutItemCommand } from '@aws-sdk/client-dynamodb'
import { promises as fs } from 'node:fs'
import path from 'node:path'
import { MODES } from '../../src/constants.js'
import { createTable, dropTable, localClient, orderItems, orderTrackingSchema, putItems, tempDir, uniqueName } from '../helpers/dynamo.js'
import { manifestsUnder, tableState } from '../integration/support.js'
import { local, runCli } from './run-cli.js'

const client = localClient()
const tables: string[] = []
let dir: string

beforeAll(async () => {
  dir = await tempDir('cli-')
})
afterAll(async () => {
  await Promise.all(tables.map((t) => dropTable(client, t)))
  await fs.rm(dir, { recursive: true, force: true })
  client.destroy()
})

/** A source table with `count` order-tracking items, and a target name beside it. */
async function sourceWithItems(count: number): Promise<{ source: string; target: string }> {
  const source = uniqueName('order-tracking-qa')
  const target = uniqueName('qa-order-tracking')
  tables.push(source, target)
  await createTable(client, orderTrackingSchema(source))
  await putItems(client, source, orderItems(count))
  return { source, target }
}

async function backupDir(): Promise<string> {
  return fs.mkdtemp(path.join(dir, 'backups-'))
}

describe('dynamodb-migrate, the built CLI, against the local server', () => {
  it('offers every mode of the action as a subcommand, and documents the exit codes', async () => {
    const run = await runCli(['--help'])
    expect(run.code).toBe(0)
    for (const mode of MODES) expect(run.stdout).toMatch(new RegExp(`^\\s+${mode} \\[options\\]`, 'm'))
    expect(run.stdout).toContain('Exit codes:')
    const migrate = await runCli(['migrate', '--help'])
    for (const flag of ['--migrations', '--config', '--region', '--profile', '--endpoint-url', '--scan-segments', '--backup-dir', '--confirm-delete', '--json']) {
      expect(migrate.stdout).toContain(flag)
    }
  })

  it('plan: a read-only dry run, its result object on stdout with --json (exit 0)', async () => {
    const { source, target } = await sourceWithItems(120)
    const run = await runCli(['plan', ...local(), '--migrations', `${source} -> ${target}`, '--json'])
    expect(run.code).toBe(0)
    const report = JSON.parse(run.stdout)
    expect(report).toMatchObject({ mode: 'plan', exitCode: 0 })
    expect(report.results).toEqual([expect.objectContaining({ source, target, mode: 'plan', status: 'planned', itemsScanned: 120 })])
    expect(report.results[0].plan).toMatchObject({ sourceExists: true, targetExists: false, targetAction: 'create' })
    expect(await tableState(client, target)).toBe('missing')
  })

  it('migrate: backs up to --backup-dir, copies and verifies, with the action\'s progress lines when not on a terminal', async () => {
    const { source, target } = await sourceWithItems(400)
    const backups = await backupDir()
    const run = await runCli(['migrate', ...local(), '--migrations', `${source} -> ${target}`, '--backup-dir', backups, '--scan-segments', '2'])
    expect(run.code).toBe(0)
    expect(run.stderr).toMatch(new RegExp(`copy ${target}: 400 / 400 items \\(100%\\), [\\d,]+ items/s \\(done\\)`))
    expect(run.stdout).toMatch(new RegExp(`^${source} -> ${target}: verified \\(400 scanned, 400 written, 400 verified\\)`))
    expect(await manifestsUnder(backups)).toHaveLength(1)
    expect(await tableState(client, target)).toEqual(await tableState(client, source))
  })

  it('migrate: reads the same YAML migrations file as the action with --config', async () => {
    const { source, target } = await sourceWithItems(50)
    const file = path.join(dir, 'migrations.yml')
    await fs.writeFile(file, `migrations:\n  - source: ${source}\n    target: ${target}\n`)
    const run = await runCli(['migrate', ...local(), '--config', file, '--backup-dir', await backupDir(), '--json'])
    expect(run.code).toBe(0)
    expect(JSON.parse(run.stdout).results[0]).toMatchObject({ source, target, status: 'verified', itemsWritten: 50 })
  })

  it('verify: 0 when the target matches its backup, 1 when it no longer does', async () => {
    const { source, target } = await sourceWithItems(80)
    const backups = await backupDir()
    expect((await runCli(['migrate', ...local(), '--migrations', `${source} -> ${target}`, '--backup-dir', backups])).code).toBe(0)
    const ok = await runCli(['verify', ...local(), '--migrations', `${source} -> ${target}`, '--backup-dir', backups, '--json'])
    expect(ok.code).toBe(0)
    expect(JSON.parse(ok.stdout).results[0]).toMatchObject({ status: 'verified', itemsVerified: 80 })

    await client.send(new PutItemCommand({ TableName: target, Item: { companyId: { S: 'company-x' }, recordId: { S: 'stray' } } }))
    const bad = await runCli(['verify', ...local(), '--migrations', `${source} -> ${target}`, '--backup', backups, '--json'])
    expect(bad.code).toBe(1)
    expect(JSON.parse(bad.stdout).results[0]).toMatchObject({ status: 'mismatch', error: { code: 'VERIFY_MISMATCH' }, diff: { extra: 1, missing: 0 } })
  })

  it('delete: refused (exit 2) without a terminal unless --confirm-delete names the source; then deleted (exit 0)', async () => {
    const { source, target } = await sourceWithItems(60)
    const backups = await backupDir()
    const pair = ['--migrations', `${source} -> ${target}`, '--backup-dir', backups]
    expect((await runCli(['migrate', ...local(), ...pair])).code).toBe(0)
    const before = await tableState(client, source)

    const refused = await runCli(['delete', ...local(), ...pair, '--json'])
    expect(refused.code).toBe(2)
    expect(JSON.parse(refused.stdout)).toMatchObject({ mode: 'delete', exitCode: 2, results: [], error: { code: 'DELETE_REFUSED' } })
    expect(refused.stderr).toContain(`--confirm-delete ${source}`)
    const otherName = await runCli(['delete', ...local(), ...pair, '--confirm-delete', target])
    expect(otherName.code).toBe(2)
    expect(await tableState(client, source)).toEqual(before)

    const deleted = await runCli(['delete', ...local(), ...pair, '--confirm-delete', source, '--json'])
    expect(deleted.code).toBe(0)
    expect(JSON.parse(deleted.stdout).results[0]).toMatchObject({ source, status: 'deleted', itemsVerified: 60 })
    expect(await tableState(client, source)).toBe('missing')
  })

  it('delete: the action\'s gate still holds when confirmed — a source changed since its backup is kept (exit 2)', async () => {
    const { source, target } = await sourceWithItems(30)
    const backups = await backupDir()
    const pair = ['--migrations', `${source} -> ${target}`, '--backup-dir', backups]
    expect((await runCli(['migrate', ...local(), ...pair])).code).toBe(0)
    await putItems(client, source, orderItems(1, { seed: 'late-write' }).map((i) => ({ ...i, recordId: { S: 'late' } })))
    const run = await runCli(['delete', ...local(), ...pair, '--confirm-delete', source, '--json'])
    expect(run.code).toBe(2)
    expect(JSON.parse(run.stdout).results[0]).toMatchObject({ status: 'refused', error: { code: 'DELETE_REFUSED' } })
    expect(await tableState(client, source)).not.toBe('missing')
  })

  it('restore: writes `aws dynamodb scan` JSON into an existing table, verified', async () => {
    const table = uniqueName('restored-orders')
    tables.push(table)
    await createTable(client, orderTrackingSchema(table))
    const items = orderItems(40)
    const scanFile = path.join(dir, 'backup-order-tracking-qa.json')
    await fs.writeFile(scanFile, JSON.stringify({ Items: items, Count: items.length, ScannedCount: items.length }))
    const run = await runCli(['restore', ...local(), '--migrations', `order-tracking-qa -> ${table}`, '--backup', scanFile, '--backup-dir', await backupDir(), '--json'])
    expect(run.code).toBe(0)
    expect(JSON.parse(run.stdout).results[0]).toMatchObject({ target: table, mode: 'restore', status: 'verified', itemsWritten: 40 })
  })

  it('the temp-table phases run in order, delete-source gated like delete', async () => {
    const name = uniqueName('orders')
    const temp = `${name}-temp`
    tables.push(name, temp)
    await createTable(client, orderTrackingSchema(name))
    await putItems(client, name, orderItems(70))
    const original = await tableState(client, name)
    const backups = await backupDir()
    const flags = [...local(), '--migrations', `${name} -> ${name}`, '--backup-dir', backups, '--json']
    const status = async (mode: string, ...extra: string[]) => {
      const run = await runCli([mode, ...flags, ...extra])
      return { code: run.code, result: JSON.parse(run.stdout).results[0] }
    }

    expect(await status('to-temp')).toMatchObject({ code: 0, result: { status: 'verified', flow: { temp } } })
    expect((await status('delete-source')).code).toBe(2)
    expect(await status('delete-source', '--confirm-delete', name)).toMatchObject({ code: 0, result: { status: 'deleted' } })
    await createTable(client, orderTrackingSchema(name)) // the IaC deploy
    expect(await status('from-temp')).toMatchObject({ code: 0, result: { status: 'verified', itemsVerified: 70 } })
    expect(await status('drop-temp')).toMatchObject({ code: 0, result: { status: 'deleted' } })
    expect(await tableState(client, name)).toEqual(original)
    expect(await tableState(client, temp)).toBe('missing')
  })

  it('refuses with exit 2 and one message naming the flag: bad values, unknown flags, no migrations, a missing source', async () => {
    const segments = await runCli(['migrate', ...local(), '--migrations', 'a-table -> b-table', '--scan-segments', 'many'])
    expect(segments.code).toBe(2)
    expect(segments.stderr).toContain('--scan-segments: got "many"; expected a whole number from 1 to 1000000.')

    const unknown = await runCli(['migrate', '--no-such-flag', '--json'])
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain("unknown option '--no-such-flag'")
    expect(JSON.parse(unknown.stdout)).toMatchObject({ exitCode: 2, error: { code: 'INVALID_INPUT', message: "unknown option '--no-such-flag'" } })
    expect((await runCli(['no-such-mode'])).code).toBe(2)
    expect((await runCli([])).code).toBe(2)

    const none = await runCli(['plan', ...local()])
    expect(none.code).toBe(2)
    expect(none.stderr).toContain('No migrations: give --migrations')

    const missing = uniqueName('no-such-table')
    const run = await runCli(['migrate', ...local(), '--migrations', `${missing} -> ${missing}-new`, '--backup-dir', await backupDir(), '--json'])
    expect(run.code).toBe(2)
    expect(JSON.parse(run.stdout).results[0]).toMatchObject({ status: 'refused', error: { code: 'SOURCE_MISSING' } })
    const plan = await runCli(['plan', ...local(), '--migrations', `${missing} -> ${missing}-new`])
    expect(plan.code).toBe(2) // plan says migrate would refuse
    expect(plan.stderr).toContain('would refuse')
  })

  it('one refusal beside one failure exits 1: scripts learn that something failed', async () => {
    const { source, target } = await sourceWithItems(20)
    const backups = await backupDir()
    expect((await runCli(['migrate', ...local(), '--migrations', `${source} -> ${target}`, '--backup-dir', backups])).code).toBe(0)
    await client.send(new PutItemCommand({ TableName: target, Item: { companyId: { S: 'company-x' }, recordId: { S: 'stray' } } }))
    const missing = uniqueName('no-such-table')
    const run = await runCli(['verify', ...local(), '--migrations', `${source} -> ${target}`, '--migrations', `${missing} -> ${missing}-new`, '--backup-dir', backups, '--json'])
    expect(run.code).toBe(1)
    expect(JSON.parse(run.stdout).results.map((r: { status: string }) => r.status).sort()).toEqual(['mismatch', 'refused'])
  })
})
