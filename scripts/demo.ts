/**
 * `npm run demo`: a real migration, end to end, on a local DynamoDB server started from
 * node_modules. It creates the article's tables, fills them, and runs the bundled action
 * (dist/index.js) exactly as GitHub runs it: first `plan`, then `migrate`.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { startDynalite } from './local-servers.mjs'
import { createTable, localClient, orderItems, orderTrackingSchema, putItems } from '../test/helpers/dynamo.js'

const ORDERS = Number(process.env.DEMO_ITEMS ?? 5000)

const server = await startDynalite()
const client = localClient(server.endpoint)
try {
  console.log(`local DynamoDB (dynalite) on ${server.endpoint}`)
  await createTable(client, orderTrackingSchema('order-tracking-qa'))
  await createTable(client, {
    TableName: 'user-settings-qa',
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{ AttributeName: 'userId', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'userId', KeyType: 'HASH' }]
  })
  await putItems(client, 'order-tracking-qa', orderItems(ORDERS, { pad: 400 }))
  await putItems(
    client,
    'user-settings-qa',
    Array.from({ length: 300 }, (_, i) => ({ userId: { S: `user-${i}` }, theme: { S: i % 2 ? 'dark' : 'light' }, limits: { M: { daily: { N: String(i * 10) } } } }))
  )
  console.log(`created order-tracking-qa (${ORDERS} items, GSIs recordId-index and companyId-createdAt-index) and user-settings-qa (300 items)\n`)

  const work = mkdtempSync(path.join(os.tmpdir(), 'ddb-demo-'))
  const migrations = 'order-tracking-qa -> qa-order-tracking\nuser-settings-qa -> qa-user-settings'
  for (const mode of ['plan', 'migrate']) {
    const outputFile = path.join(work, `${mode}.out`)
    const summaryFile = path.join(work, `${mode}.md`)
    writeFileSync(outputFile, '')
    writeFileSync(summaryFile, '')
    console.log(`──── node dist/index.js with INPUT_MODE=${mode} ────`)
    const run = spawnSync(process.execPath, ['--no-deprecation', '--no-warnings', 'dist/index.js'], {
      stdio: 'inherit',
      env: {
        ...process.env,
        AWS_ACCESS_KEY_ID: 'local',
        AWS_SECRET_ACCESS_KEY: 'local',
        'INPUT_MODE': mode,
        'INPUT_MIGRATIONS': migrations,
        'INPUT_AWS-REGION': 'us-east-1',
        'INPUT_ENDPOINT-URL': server.endpoint,
        'INPUT_BACKUP-DIR': path.join(work, 'backups'),
        'INPUT_UPLOAD-ARTIFACT': 'false',
        GITHUB_OUTPUT: outputFile,
        GITHUB_STEP_SUMMARY: summaryFile
      }
    })
    console.log(`\njob summary (${summaryFile}):\n${readFileSync(summaryFile, 'utf8')}`)
    if (run.status !== 0) throw new Error(`the action failed in mode ${mode}`)
  }
  const outputs = readFileSync(path.join(work, 'migrate.out'), 'utf8')
  console.log(`outputs (GITHUB_OUTPUT):\n${outputs}`)
  console.log(`backups are in ${path.join(work, 'backups')}`)
} finally {
  client.destroy()
  await server.stop()
}
