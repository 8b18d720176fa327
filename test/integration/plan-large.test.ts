// plan on a table whose copy would outlast a job: the estimate (items ÷ configured rate) passes
// the threshold and the plan recommends DynamoDB's export to S3 + ImportTable.
import { afterAll, describe, expect, it } from '@jest/globals'
import { planPair } from '../../src/engine/plan.js'
import { localClient, orderItems, orderTrackingSchema, putItems, settingsFor, tempDir, uniqueName } from '../helpers/dynamo.js'
import { createTable, dropTables, testContext } from './support.js'

const client = localClient()
const created: string[] = []
afterAll(async () => {
  await dropTables(client, created)
  client.destroy()
})

describe('plan for a very large table', () => {
  it('recommends export + import when the estimate is beyond 6 hours, and not otherwise', async () => {
    const source = uniqueName('plan-large-src')
    const target = uniqueName('plan-large-dst')
    created.push(source)
    await createTable(client, orderTrackingSchema(source))
    await putItems(client, source, orderItems(40))
    const dir = await tempDir('ddb-plan-large-')

    // 40 items at a cap of 1 item per 10 minutes: 24,000 s, beyond 6 h.
    const slow = await planPair(testContext(client), { source, target }, settingsFor(dir, { maxWriteRate: 1 / 600 }))
    expect(slow.status).toBe('planned')
    expect(slow.plan?.estimatedSeconds).toBe(24_000)
    expect(slow.warnings.find((w) => w.includes('very large table'))).toMatch(/estimated at 6\.7 h \(40 items .*ExportTableToPointInTime.*ImportTable/)

    const fast = await planPair(testContext(client), { source, target }, settingsFor(dir, { maxWriteRate: 10 }))
    expect(fast.plan?.estimatedSeconds).toBe(4)
    expect(fast.warnings.some((w) => w.includes('very large table'))).toBe(false)
  })
})
