import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { promises as fs } from 'node:fs'
import { createTable, dropTable, dynaliteEndpoint, localClient, orderItems, orderTrackingSchema, putItems, tempDir, uniqueName } from '../helpers/dynamo.js'
import { runBundledAction } from '../helpers/run-action.js'

const client = localClient()
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

describe('the bundled action (node dist/index.js) as GitHub runs it', () => {
  it('migrates a table and writes items-copied, verified and result to GITHUB_OUTPUT', async () => {
    const source = uniqueName('order-tracking-qa')
    const target = uniqueName('qa-order-tracking')
    tables.push(source, target)
    await createTable(client, orderTrackingSchema(source))
    await putItems(client, source, orderItems(400))
    const run = await runBundledAction({
      mode: 'migrate',
      migrations: `${source} -> ${target}`,
      'aws-region': 'us-east-1',
      'endpoint-url': dynaliteEndpoint(),
      'backup-dir': backupDir,
      'upload-artifact': 'false'
    })
    expect(run.code).toBe(0)
    expect(run.outputs['items-copied']).toBe('400')
    expect(run.outputs.verified).toBe('true')
    const result = JSON.parse(run.outputs.result as string)
    expect(result).toHaveLength(1)
    expect(result[0]).toMatchObject({ source, target, status: 'verified', itemsWritten: 400, itemsVerified: 400 })
    expect(result[0].actual).toEqual(result[0].expected)
    expect(run.summary).toContain(`\`${target}\``)
    expect(run.stdout).toMatch(/copy .*400 \/ 400 items/)
  })

  it('fails with one clear error naming a bad input, and touches nothing', async () => {
    const run = await runBundledAction({ mode: 'migrate', migrations: 'a-table -> b-table', 'aws-region': 'us-east-1', 'endpoint-url': dynaliteEndpoint(), 'scan-segments': 'many' })
    expect(run.code).toBe(1)
    expect(run.stdout).toContain('::error::Input "scan-segments": got "many"; expected a whole number from 1 to 1000000.')
  })
})
