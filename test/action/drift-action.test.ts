import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { promises as fs, readFileSync } from 'node:fs'
import path from 'node:path'
import { startDynalite, type LocalServer } from '../../scripts/local-servers.mjs'
import { parseMigrations } from '../../src/config/migrations.js'
import { createTable, localClient, orderTrackingSchema, tempDir } from '../helpers/dynamo.js'
import { runBundledAction } from '../helpers/run-action.js'

// Its own server: drift lists every table, and the article's exact names are needed here.
let server: LocalServer
let work: string

beforeAll(async () => {
  server = await startDynalite()
  work = await tempDir()
  const client = localClient(server.endpoint)
  for (const name of ['order-tracking-qa', 'order-tracking-uat', 'prod-order-tracking', 'qa-billing', 'legacy_reports']) await createTable(client, orderTrackingSchema(name))
  client.destroy()
}, 60_000)
afterAll(async () => {
  await server.stop()
  await fs.rm(work, { recursive: true, force: true })
})

describe('mode drift, as GitHub runs the action', () => {
  it("classifies the article's tables against serverless.yml and proposes the article's migration", async () => {
    const migrationsFile = path.join(work, 'proposed.yml')
    const run = await runBundledAction({
      mode: 'drift',
      'aws-region': 'us-east-1',
      'endpoint-url': server.endpoint,
      'naming-convention': '${stage}-${name}',
      stage: 'qa',
      'iac-template': 'test/fixtures/drift/serverless.yml',
      'migrations-file': migrationsFile
    })
    expect(run.code).toBe(0)
    expect(run.outputs.migrations).toContain('order-tracking-qa -> qa-order-tracking')
    const report = JSON.parse(run.outputs.result as string)
    const verdict = (t: string) => report.tables.find((x: { table: string }) => x.table === t)?.verdict
    expect(verdict('order-tracking-qa')).toBe('drifted')
    expect(verdict('order-tracking-uat')).toBe('other-stage')
    expect(verdict('prod-order-tracking')).toBe('other-stage')
    expect(verdict('legacy_reports')).toBe('unknown')
    expect(parseMigrations(migrationsFile, (p) => readFileSync(p, 'utf8'))).toEqual([{ source: 'order-tracking-qa', target: 'qa-order-tracking' }])
    expect(run.summary).toContain('order-tracking-qa')
  })

  it('recommends adopting prod-order-tracking by import and writes the import files', async () => {
    const dir = path.join(work, 'adopt')
    const run = await runBundledAction({
      mode: 'drift',
      'aws-region': 'us-east-1',
      'endpoint-url': server.endpoint,
      'naming-convention': '${stage}-${name}',
      stage: 'prod',
      'iac-template': 'test/fixtures/drift/serverless.yml',
      'adopt-output-dir': dir
    })
    expect(run.code).toBe(0)
    expect(JSON.parse(run.outputs.recommendations as string)).toContainEqual(expect.objectContaining({ table: 'prod-order-tracking', path: 'adopt' }))
    const toImport = JSON.parse(readFileSync(path.join(dir, 'resources-to-import.json'), 'utf8'))
    expect(toImport).toEqual([{ ResourceType: 'AWS::DynamoDB::Table', LogicalResourceId: 'OrderTrackingTable', ResourceIdentifier: { TableName: 'prod-order-tracking' } }])
    expect(run.outputs['adopt-files']).toContain('commands.sh')
  })

  it('requires naming-convention and stage, with one clear error', async () => {
    const run = await runBundledAction({ mode: 'drift', 'aws-region': 'us-east-1', 'endpoint-url': server.endpoint, stage: 'qa' })
    expect(run.code).toBe(1)
    expect(run.stdout).toContain('Input "naming-convention" is required with mode drift')
  })
})
