/**
 * `npx tsx scripts/bench-live.ts [--records N] [--keys K] [--json]`: the live-migration replay
 * rate (DynamoDB stream records applied per second) on the official DynamoDB Local.
 *
 * A source with a stream gets a backlog of N changes written after the recorded stream position
 * (puts of new keys, overwrites, deletes, over K distinct keys), then the engine's sync replays
 * them into an empty target until it is caught up. Reported: records applied / time until the
 * last one was applied (the catch-up rate after a copy), and the writes those coalesced into.
 * The target is then checked equal to the source (count + digest).
 *
 * DynamoDB Local listens on every interface, so, as root, this re-runs itself inside a
 * loopback-only network namespace (`unshare -n`), the way scripts/test.mjs does.
 */
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { BatchWriteItemCommand, CreateTableCommand, type WriteRequest } from '@aws-sdk/client-dynamodb'
import { isLoopbackOnly, startDynamoDbLocal } from './local-servers.mjs'

const args = process.argv.slice(2)
const option = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`)
  return i >= 0 ? Number(args[i + 1]) : fallback
}

if (!isLoopbackOnly()) {
  if (process.getuid?.() !== 0 || spawnSync('unshare', ['-n', 'true'], { stdio: 'ignore' }).status !== 0) {
    console.error('bench-live needs DynamoDB Local, which may only run in a loopback-only network namespace: run as root (unshare -n).')
    process.exit(2)
  }
  const script = fileURLToPath(import.meta.url)
  const inner = `ip link set lo up && exec "$0" "$@"`
  const r = spawnSync('unshare', ['-n', 'sh', '-c', inner, process.execPath, ...process.execArgv, script, ...args], { stdio: 'inherit' })
  process.exit(r.status ?? 1)
}

const { credentials, localClient } = await import('../test/helpers/dynamo.js')
const { dynamoStreamsClient } = await import('../src/aws/clients.js')
const { engineContext, silentReporter } = await import('../src/engine/context.js')
const { StreamTail, streamsApi } = await import('../src/dynamo/streams.js')
const { syncStream } = await import('../src/engine/live.js')
const { scanDigest } = await import('../src/engine/scan-digest.js')
const { waitForActive } = await import('../src/dynamo/tables.js')
const { DEFAULT_RETRY, realClock } = await import('../src/dynamo/retry.js')

const RECORDS = option('records', 20_000)
const KEYS = option('keys', 8_000)
const CONCURRENCY = option('write-concurrency', 8)

const server = await startDynamoDbLocal()
const client = localClient(server.endpoint)
const streams = dynamoStreamsClient({ region: 'us-east-1', endpointUrl: server.endpoint, credentials })
try {
  const ctx = engineContext(client, silentReporter, { retry: DEFAULT_RETRY, clock: realClock })
  const schema = (name: string, stream: boolean) =>
    new CreateTableCommand({
      TableName: name,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'N' }
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' }
      ],
      ...(stream ? { StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' as const } } : {})
    })
  await client.send(schema('bench-live-source', true))
  await client.send(schema('bench-live-target', false))
  const source = await waitForActive(ctx, 'bench-live-source')
  await waitForActive(ctx, 'bench-live-target')

  const api = streamsApi(streams, ctx.retry, ctx.clock)
  const tail = new StreamTail(api, source.LatestStreamArn as string, { table: 'bench-live-source' })
  await tail.recordPosition()

  // The backlog: N changes after the position, ~70% puts (new keys, then overwrites), ~30% deletes
  // (a delete of a key that is not there leaves no stream record, so a little under N records).
  let seed = 42
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31)
  const writeStarted = Date.now()
  const batches: WriteRequest[][] = []
  let batch: WriteRequest[] = []
  let inBatch = new Set<number>()
  for (let i = 0; i < RECORDS; i++) {
    let k = Math.floor(rand() * KEYS)
    while (inBatch.has(k)) k = (k + 1) % KEYS
    inBatch.add(k)
    const key = { pk: { S: `tenant-${k % 97}` }, sk: { N: String(k) } }
    batch.push(
      rand() < 0.3
        ? { DeleteRequest: { Key: key } }
        : { PutRequest: { Item: { ...key, version: { N: String(i) }, amount: { N: `${i}.${k}` }, body: { S: 'x'.repeat(200) }, tags: { SS: [`t${i % 5}`, 'bench'] } } } }
    )
    if (batch.length === 25) {
      batches.push(batch)
      batch = []
      inBatch = new Set()
    }
  }
  if (batch.length) batches.push(batch)
  let next = 0
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < batches.length) {
        let pending = batches[next++] as WriteRequest[]
        while (pending.length) {
          const out = await client.send(new BatchWriteItemCommand({ RequestItems: { 'bench-live-source': pending } }))
          pending = out.UnprocessedItems?.['bench-live-source'] ?? []
        }
      }
    })
  )
  const writeSeconds = (Date.now() - writeStarted) / 1000

  const stats = await syncStream(ctx, tail, {
    label: 'bench-live-source -> bench-live-target',
    target: 'bench-live-target',
    keyNames: ['pk', 'sk'],
    live: { enabled: true, allowEnableStream: false, syncLagSeconds: 5, quietSeconds: 1, pollIntervalMs: 50 },
    writeConcurrency: CONCURRENCY,
    touched: new Map()
  })
  const [a, b] = await Promise.all([scanDigest(ctx, 'bench-live-source', { segments: 4, consistentRead: true }), scanDigest(ctx, 'bench-live-target', { segments: 4, consistentRead: true })])
  const equal = a.count === b.count && a.digest === b.digest
  const rate = stats.recordsApplied / (stats.activeMs / 1000)
  const result = {
    server: 'DynamoDB Local',
    records: stats.recordsApplied,
    writes: stats.writes,
    replaySeconds: Number((stats.activeMs / 1000).toFixed(2)),
    replayRecordsPerSecond: Math.round(rate),
    sourceWriteSeconds: Number(writeSeconds.toFixed(2)),
    sourceWritesPerSecond: Math.round(RECORDS / writeSeconds),
    equal
  }
  if (args.includes('--json')) console.log(JSON.stringify(result))
  else {
    console.log(`live replay on DynamoDB Local: ${result.records} stream records (${result.writes} writes after coalescing per key) applied in ${result.replaySeconds} s`)
    console.log(`  replay rate: ${result.replayRecordsPerSecond.toLocaleString('en-US')} stream records/s (the source took ${result.sourceWriteSeconds} s to write them: ${result.sourceWritesPerSecond.toLocaleString('en-US')}/s)`)
    console.log(`  target equal to source (count + digest): ${equal ? 'yes' : 'NO'} (${b.count} items)`)
  }
  if (!equal) process.exitCode = 1
} finally {
  client.destroy()
  streams.destroy()
  await server.stop()
}
