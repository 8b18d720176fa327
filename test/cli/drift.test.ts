import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { promises as fs } from 'node:fs'
import path from 'node:path'
import { MODES } from '../../src/constants.js'
import { createTable, dropTable, localClient, orderTrackingSchema, tempDir } from '../helpers/dynamo.js'
import { local, runCli } from './run-cli.js'

// A stage of letters only, unique to this run: the server is shared, and drift lists every table.
const stage = `st${String(process.pid).replace(/\d/g, (d) => 'abcdefghij'[Number(d)] as string)}`
const drifted = `orders-${stage}`
const conforming = `${stage}-users`
const client = localClient()
let dir: string

const suite = (MODES as readonly string[]).includes('drift') ? describe : describe.skip

beforeAll(async () => {
  dir = await tempDir('cli-drift-')
  await createTable(client, orderTrackingSchema(drifted))
  await createTable(client, orderTrackingSchema(conforming))
})
afterAll(async () => {
  await Promise.all([dropTable(client, drifted), dropTable(client, conforming)])
  await fs.rm(dir, { recursive: true, force: true })
  client.destroy()
})

suite('dynamodb-migrate drift', () => {
  it('reports the names that drift from the convention and proposes the migrations, from the action\'s inputs as flags', async () => {
    const file = path.join(dir, 'proposed.yml')
    const flags = [...local(), '--naming-convention', '${stage}-${name}', '--stage', stage, '--migrations-file', file]
    const run = await runCli(['drift', ...flags, '--json'])
    expect(run.code).toBe(0)
    const report = JSON.parse(run.stdout)
    expect(report).toMatchObject({ mode: 'drift', exitCode: 0, results: [] })
    const verdict = (table: string) => report.drift.tables.find((t: { table: string }) => t.table === table)?.verdict
    expect(verdict(drifted)).toBe('drifted')
    expect(verdict(conforming)).toBe('conforms')
    expect(report.drift.nameDrift).toEqual([{ table: drifted, expected: `${stage}-orders` }])
    expect(report.migrations).toContain(`${drifted} -> ${stage}-orders`)
    expect(await fs.readFile(file, 'utf8')).toContain(`source: ${drifted}`)

    const text = await runCli(['drift', ...flags])
    expect(text.code).toBe(0)
    expect(text.stdout).toContain(`naming drift — stage \`${stage}\``)
    expect(text.stdout).toContain(`${drifted} -> ${stage}-orders`)
  })

  it('refuses without the convention, naming the flag (exit 2)', async () => {
    const run = await runCli(['drift', ...local(), '--stage', stage])
    expect(run.code).toBe(2)
    expect(run.stderr).toContain('--naming-convention')
  })
})
