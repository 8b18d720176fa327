// Fault injection (issue 7): migrate through a proxy that throttles, fails, splits batches,
// shortens scan pages, resets connections and delays answers past the client's timeout, on a
// seeded schedule. Every run must end verified with every item present and equal, or fail
// with a clear error and delete nothing.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { promises as fs } from 'node:fs'
import path from 'node:path'
import { BatchWriteItemCommand, DeleteItemCommand, DescribeTableCommand, DynamoDBClient, PutItemCommand, UpdateItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb'
import { dynamoClient } from '../../src/aws/clients.js'
import { readManifest, type LoadedBackup } from '../../src/backup/manifest.js'
import { toSdkItem, type JsonItem } from '../../src/dynamo/attribute-json.js'
import { describeTable } from '../../src/dynamo/tables.js'
import { isRetryable } from '../../src/dynamo/retry.js'
import { engineContext, type EngineContext } from '../../src/engine/context.js'
import { deleteSource } from '../../src/engine/delete.js'
import { migratePair } from '../../src/engine/migrate.js'
import { verifyAgainstBackup } from '../../src/engine/verify.js'
import { MigrationError } from '../../src/errors.js'
import { RecordingReporter, createTable, credentials, dropTable, dynaliteEndpoint, localClient, orderItems, orderTrackingSchema, putItems, settingsFor, tempDir } from '../helpers/dynamo.js'
import { exactItems, scanAll, tableState } from '../integration/support.js'
import { FaultProxy, type FaultKind, type FaultRule } from '../utils/fault-proxy.js'

/** The client's per-request timeout where `delay` faults hold answers longer than this. */
const REQUEST_TIMEOUT_MS = 1000
/** Elsewhere a timeout a busy machine never reaches, so only injected faults happen. */
const RELAXED_TIMEOUT_MS = 15_000
const DELAY_MS = 1300
/** Fast engine backoff so the suite stays short; the attempt budget is the engine's default. */
const FAST_RETRY = { maxAttempts: 12, baseDelayMs: 2, maxDelayMs: 20 }

const direct = localClient()
const created: string[] = []
let proxy: FaultProxy
let backupDir: string

// Fixed names: the proxy's schedule is a function of the request bodies, which name the tables,
// so fixed names make every run reproduce the same faults on the same requests.
const SOURCE = 'faults-suite-source'
let sourceState: { count: number; digest: string }
let sourceExact: ReturnType<typeof exactItems>
let sourceKeys: string[]

const byKey = (item: Record<string, AttributeValue>) => `${item.companyId?.S}|${item.recordId?.S}`

/** 300 order items, two large ones (~150 KB and ~300 KB) and one with a 38-digit number. */
function sourceItems(): JsonItem[] {
  const items = orderItems(300, { pad: 120 })
  items.push(
    { companyId: { S: 'company-big' }, recordId: { S: 'large-1' }, createdAt: { S: '2026-02-01T00:00:00.000Z' }, notes: { S: 'L'.repeat(150_000) } },
    { companyId: { S: 'company-big' }, recordId: { S: 'large-2' }, createdAt: { S: '2026-02-02T00:00:00.000Z' }, blob: { B: Buffer.alloc(300_000, 7).toString('base64') } },
    { companyId: { S: 'company-big' }, recordId: { S: 'big-number' }, createdAt: { S: '2026-02-03T00:00:00.000Z' }, amount: { N: '12345678901234567890123456789012345678' } }
  )
  return items
}

/** A client of the proxy as the action builds it (SDK retries included), fresh per run. */
function proxiedClient(requestTimeoutMs = RELAXED_TIMEOUT_MS): DynamoDBClient {
  return dynamoClient({ region: 'us-east-1', endpointUrl: proxy.endpoint, credentials, requestTimeoutMs })
}

function contextFor(client: DynamoDBClient, reporter: RecordingReporter, retry = FAST_RETRY): EngineContext {
  return engineContext(client, reporter, { retry })
}

beforeAll(async () => {
  backupDir = await tempDir('ddb-faults-')
  proxy = await FaultProxy.start({ upstream: dynaliteEndpoint(), delayMs: DELAY_MS })
  created.push(SOURCE)
  // The order-tracking keys without its GSIs: dynalite maintains indexes slowly, and they
  // play no part in the faults (the schema copy is covered by the integration suites).
  await createTable(direct, { ...orderTrackingSchema(SOURCE), GlobalSecondaryIndexes: undefined, AttributeDefinitions: orderTrackingSchema(SOURCE).AttributeDefinitions?.filter((a) => a.AttributeName !== 'createdAt') })
  await putItems(direct, SOURCE, sourceItems())
  const state = await tableState(direct, SOURCE)
  if (state === 'missing') throw new Error('source missing')
  sourceState = state
  const items = await scanAll(direct, SOURCE)
  sourceExact = exactItems(items, byKey)
  sourceKeys = items.map(byKey)
}, 30_000)

afterAll(async () => {
  await proxy?.close()
  await Promise.all(created.map((t) => dropTable(direct, t)))
  await fs.rm(backupDir, { recursive: true, force: true })
  direct.destroy()
})

/** Totals over the whole file, printed at the end (runs, faults per kind). */
const totals = { runs: 0, faults: {} as Record<string, number>, unprocessedItems: 0, itemsLost: 0 }
afterAll(() => {
  console.log(`fault suite: ${totals.runs} migrate runs through the proxy; faults injected ${JSON.stringify(totals.faults)}; unprocessed items returned ${totals.unprocessedItems}; items lost ${totals.itemsLost}`)
})

/**
 * Migrates SOURCE into a new target through the proxy with `rules`, and checks everything a
 * verified migration promises, independently of the proxy and of the engine's own verify.
 */
async function migrateThrough(name: string, rules: FaultRule[]) {
  proxy.reset(rules)
  const target = `faults-${name}`
  created.push(target)
  const client = proxiedClient(rules.some((r) => r.kind === 'delay') ? REQUEST_TIMEOUT_MS : RELAXED_TIMEOUT_MS)
  const reporter = new RecordingReporter()
  try {
    const result = await migratePair(contextFor(client, reporter), { source: SOURCE, target }, settingsFor(path.join(backupDir, name), { scanSegments: 3, writeConcurrency: 4 }))
    const stats = structuredClone(proxy.stats)
    totals.runs++
    for (const [kind, n] of Object.entries(stats.faults)) totals.faults[kind] = (totals.faults[kind] ?? 0) + n
    totals.unprocessedItems += stats.unprocessedItems

    // The target, read straight from dynalite: same count and digest as the backup and the
    // source, and item by item equal to the source.
    const { manifest } = await readManifest(result.backup!.manifest)
    const targetState = await tableState(direct, target)
    const targetItems = await scanAll(direct, target)
    const targetExact = exactItems(targetItems, byKey)
    const targetKeys = new Set(targetItems.map(byKey))
    totals.itemsLost += sourceKeys.filter((key) => !targetKeys.has(key)).length
    expect(result.status).toBe('verified')
    expect({ count: manifest.itemCount, digest: manifest.digest }).toEqual(sourceState)
    expect(targetState).toEqual(sourceState)
    expect(targetExact).toEqual(sourceExact)
    // Written once each: a write answered by a reset or a timeout is retried, never counted twice.
    expect(result.itemsWritten).toBe(sourceState.count)
    expect(result.itemsVerified).toBe(sourceState.count)

    // The engine re-sent exactly the items the proxy returned as UnprocessedItems.
    const copyLine = reporter.infos.find((line) => line.startsWith(`${target}: wrote `))
    const resent = Number(/(\d+) unprocessed items re-sent/.exec(copyLine ?? '')?.[1])
    expect(resent).toBe(stats.unprocessedItems)
    const engineRetries = Number(/\((\d+) retries/.exec(copyLine ?? '')?.[1])
    return { result, stats, engineRetries }
  } finally {
    client.destroy()
  }
}

const errorKinds: FaultKind[] = ['throttle', 'throughput', 'request-limit', 'internal-500', 'unavailable-503']

describe('the fault proxy', () => {
  it('answers as DynamoDB does: the SDK names each error, and the engine classifies it as retryable', async () => {
    // SDK retries off, to see each answer as it comes.
    const raw = new DynamoDBClient({ region: 'us-east-1', endpoint: proxy.endpoint, credentials, maxAttempts: 1, requestHandler: { requestTimeout: REQUEST_TIMEOUT_MS, throwOnRequestTimeout: true } })
    try {
      const cases: Array<[FaultKind, string, number | undefined]> = [
        ['throttle', 'ThrottlingException', 400],
        ['throughput', 'ProvisionedThroughputExceededException', 400],
        ['request-limit', 'RequestLimitExceeded', 400],
        ['internal-500', 'InternalServerError', 500],
        ['unavailable-503', 'ServiceUnavailable', 503],
        ['reset-before', 'Error', undefined],
        ['reset-after', 'Error', undefined],
        ['delay', 'TimeoutError', undefined]
      ]
      for (const [kind, name, status] of cases) {
        proxy.reset([{ kind, always: true }])
        const error = (await raw.send(new DescribeTableCommand({ TableName: SOURCE })).catch((e: unknown) => e)) as Error & { $metadata?: { httpStatusCode?: number } }
        expect({ kind, name: error.name, status: error.$metadata?.httpStatusCode, retryable: isRetryable(error) }).toEqual({ kind, name, status, retryable: true })
        expect(proxy.stats.faults[kind]).toBe(1)
      }
      // partial-batch: the SDK sees UnprocessedItems of exactly the requests not written.
      proxy.reset([{ kind: 'partial-batch', always: true, seed: 5 }])
      const table = 'faults-partial-probe'
      created.push(table)
      await createTable(direct, orderTrackingSchema(table))
      const items = orderItems(25, { seed: 'probe' })
      const out = await raw.send(new BatchWriteItemCommand({ RequestItems: { [table]: items.map((item) => ({ PutRequest: { Item: toSdkItem(item) } })) } }))
      const unprocessed = (out.UnprocessedItems?.[table] ?? []).map((r) => r.PutRequest?.Item?.recordId?.S)
      const written = (await scanAll(direct, table)).map((item) => item.recordId?.S)
      expect(unprocessed.length).toBeGreaterThan(0)
      expect(unprocessed.length).toBe(proxy.stats.unprocessedItems)
      expect([...unprocessed, ...written].sort()).toEqual(items.map((item) => (item.recordId as { S: string }).S).sort())
    } finally {
      raw.destroy()
    }
  }, 20_000)

  it('draws its schedule from the seed and the request, not from the order requests arrive in', async () => {
    const raw = new DynamoDBClient({ region: 'us-east-1', endpoint: proxy.endpoint, credentials, maxAttempts: 1 })
    const names = Array.from({ length: 40 }, (_, i) => `faults-absent-${i}`)
    const faulted = async (order: string[], seed: number) => {
      proxy.reset([{ kind: 'internal-500', probability: 0.5, seed }])
      const answers = await Promise.all(order.map(async (name) => [name, ((await raw.send(new DescribeTableCommand({ TableName: name })).catch((e: unknown) => e)) as Error).name] as const))
      return answers.filter(([, name]) => name === 'InternalServerError').map(([table]) => table).sort()
    }
    try {
      const first = await faulted(names, 7)
      expect(await faulted([...names].reverse(), 7)).toEqual(first)
      expect(first.length).toBeGreaterThan(5)
      expect(first.length).toBeLessThan(35)
      expect(await faulted(names, 8)).not.toEqual(first)
    } finally {
      raw.destroy()
    }
  })
})

describe('migrate through a fault-injecting proxy ends verified, every item present and equal', () => {
  // Two seeds per kind over every operation the kind applies to: 20 runs, plus 4 of the mix.
  const seeds = [11, 29]

  // ProvisionedThroughputExceeded and RequestLimitExceeded are data-plane answers (reads and
  // writes); ThrottlingException, 500 and 503 can answer any call, the control plane included.
  const dataPlaneOnly = (kind: FaultKind) => kind === 'throughput' || kind === 'request-limit'
  describe.each(errorKinds)('%s answers', (kind) => {
    it.each(seeds)('seed %i', async (seed) => {
      // Throttling answers cost the most time: the SDK's own retries back off from 1 s on them.
      const probability = kind === 'internal-500' || kind === 'unavailable-503' ? 0.25 : 0.15
      const target = dataPlaneOnly(kind) ? ['BatchWriteItem', 'Scan'] : undefined
      const { stats } = await migrateThrough(`${kind}-${seed}`, [{ kind, probability, seed, target }])
      // Faults really happened, on the write path at least (how many depends on the request count).
      expect(stats.faultsByOperation[`BatchWriteItem:${kind}`]).toBeGreaterThan(0)
    }, 30_000)
  })

  it.each(seeds)('partial-batch: UnprocessedItems on most BatchWriteItem calls (seed %i)', async (seed) => {
    const { stats } = await migrateThrough(`partial-batch-${seed}`, [{ kind: 'partial-batch', probability: 0.7, seed }])
    expect(stats.faults['partial-batch']).toBeGreaterThan(5)
    expect(stats.unprocessedItems).toBeGreaterThan(30)
  }, 30_000)

  it.each(seeds)('short-page: Scan pages cut to 1-20 items with LastEvaluatedKey (seed %i)', async (seed) => {
    // Every Scan page is cut to a Limit drawn from 1..20: backup and verify each read the 303
    // items in 3 segments, so about thirty pages each instead of 3.
    const { stats } = await migrateThrough(`short-page-${seed}`, [{ kind: 'short-page', always: true, seed, shortLimit: 20 }])
    expect(stats.shortenedScans).toBeGreaterThan(40)
    expect(stats.requests.Scan).toBeGreaterThan(40)
  }, 30_000)

  it.each(seeds)('reset-before: connections dropped before the request reaches the server (seed %i)', async (seed) => {
    const { stats } = await migrateThrough(`reset-before-${seed}`, [{ kind: 'reset-before', probability: 0.2, seed }])
    expect(stats.faultsByOperation['BatchWriteItem:reset-before']).toBeGreaterThan(0)
    expect(stats.faults['reset-before']).toBeGreaterThanOrEqual(3)
  }, 30_000)

  it.each(seeds)('reset-after: the write happens, the answer is lost (seed %i)', async (seed) => {
    const { stats } = await migrateThrough(`reset-after-${seed}`, [{ kind: 'reset-after', probability: 0.2, seed }])
    expect(stats.faultsByOperation['BatchWriteItem:reset-after']).toBeGreaterThan(0)
    expect(stats.faults['reset-after']).toBeGreaterThanOrEqual(3)
  }, 30_000)

  it.each(seeds)(`delay: answers held ${DELAY_MS} ms, past the client's ${REQUEST_TIMEOUT_MS} ms timeout (seed %i)`, async (seed) => {
    // On the data plane only: each delay costs a full timeout, and the control-plane calls run
    // one after another (a lost CreateTable answer has its own test below).
    const { stats } = await migrateThrough(`delay-${seed}`, [{ kind: 'delay', target: ['BatchWriteItem', 'Scan'], probability: 0.08, seed }])
    expect(stats.faultsByOperation['BatchWriteItem:delay']).toBeGreaterThan(0)
    // The client really timed out: it had closed the connection before the answer came.
    expect(stats.abandoned).toBe(stats.faults.delay)
  }, 40_000)

  const mixed: Record<string, number> = {}
  it.each([101, 202, 303, 404])('a mix of every kind at a high rate (seed %i)', async (seed) => {
    // Rules are tried in order and the first that fires wins: the rare kinds go first.
    const rules: FaultRule[] = [
      { kind: 'throttle', probability: 0.025, seed },
      { kind: 'throughput', target: ['BatchWriteItem', 'Scan'], probability: 0.025, seed },
      { kind: 'request-limit', target: ['BatchWriteItem', 'Scan'], probability: 0.025, seed },
      { kind: 'internal-500', probability: 0.05, seed },
      { kind: 'unavailable-503', probability: 0.05, seed },
      { kind: 'reset-before', probability: 0.05, seed },
      { kind: 'reset-after', probability: 0.05, seed },
      { kind: 'delay', target: ['BatchWriteItem', 'Scan'], probability: 0.025, seed },
      { kind: 'partial-batch', probability: 0.5, seed },
      { kind: 'short-page', probability: 0.5, seed, shortLimit: 25 }
    ]
    const { stats, engineRetries } = await migrateThrough(`mix-${seed}`, rules)
    for (const [kind, n] of Object.entries(stats.faults)) mixed[kind] = (mixed[kind] ?? 0) + n
    expect(Object.values(stats.faults).filter((n) => n > 0).length).toBeGreaterThanOrEqual(4)
    expect(proxy.totalFaults).toBeGreaterThanOrEqual(15)
    expect(engineRetries).toBeGreaterThan(0)
  }, 40_000)

  it('the mixed runs, together, met every kind of fault', () => {
    expect(Object.entries(mixed).filter(([, n]) => n === 0)).toEqual([])
  })
})

describe('control-plane calls fail too: each is retried, and a lost CreateTable answer is not fatal', () => {
  it('DescribeTable, DescribeTimeToLive, DescribeContinuousBackups and ListTagsOfResource answered 500 four times in a row each', async () => {
    const rules: FaultRule[] = ['DescribeTable', 'DescribeTimeToLive', 'DescribeContinuousBackups', 'ListTagsOfResource'].map((target) => ({ kind: 'internal-500', target, always: true, maxFaults: 4 }))
    const { stats } = await migrateThrough('control-plane-500', rules)
    expect(stats.faults['internal-500']).toBe(16)
  }, 30_000)

  it('CreateTable answered 500 four times in a row', async () => {
    const { stats } = await migrateThrough('create-500', [{ kind: 'internal-500', target: 'CreateTable', always: true, maxFaults: 4 }])
    expect(stats.faults['internal-500']).toBe(4)
  }, 30_000)

  it('CreateTable executed but its answer lost (reset after forwarding)', async () => {
    const { stats } = await migrateThrough('create-reset-after', [{ kind: 'reset-after', target: 'CreateTable', always: true, maxFaults: 1 }])
    expect(stats.faults['reset-after']).toBe(1)
  }, 30_000)
})

describe('faults that never stop: the copy fails naming what was not written, and nothing is deleted', () => {
  /** Copy fails; the source is untouched, exists, and deleteSource refuses. */
  async function expectIncomplete(name: string, rules: FaultRule[], retry = { ...FAST_RETRY, maxAttempts: 3 }) {
    proxy.reset(rules)
    const target = `faults-${name}`
    created.push(target)
    const client = proxiedClient()
    const reporter = new RecordingReporter()
    let backup: LoadedBackup | undefined
    try {
      const error = await migratePair(contextFor(client, reporter, retry), { source: SOURCE, target }, settingsFor(path.join(backupDir, name), { scanSegments: 3, writeConcurrency: 4 }), {
        onBackup: async (b) => {
          backup = b
        }
      }).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(MigrationError)
      const e = error as MigrationError
      expect(e.code).toBe('WRITE_INCOMPLETE')
      const details = e.details as { written: number; failing: number; notAttempted: number; keys: string[] }
      const notWritten = Number(/(\d+) not confirmed written/.exec(e.message)?.[1])
      expect(notWritten).toBe(sourceState.count - details.written)
      expect(notWritten).toBeGreaterThan(0)
      expect(e.message).toContain(target)
      expect(e.message).toMatch(/first keys companyId="[^"]+", recordId="[^"]+"/)
      expect(e.message).toContain('nothing was deleted')
      expect(details.keys.length).toBeGreaterThan(0)

      // The source is there, unchanged. The target holds what was reported written, plus at
      // most the failing batches, which a reset-after fault lets reach the server unconfirmed.
      expect(await tableState(direct, SOURCE)).toEqual(sourceState)
      const targetState = await tableState(direct, target)
      expect(targetState).not.toBe('missing')
      const targetCount = targetState === 'missing' ? -1 : targetState.count
      expect(targetCount).toBeGreaterThanOrEqual(details.written)
      expect(targetCount).toBeLessThanOrEqual(details.written + 4 * 25)

      // Delete refuses: the target does not match the backup.
      expect(backup).toBeDefined()
      const deleteClient = localClient()
      try {
        await expect(deleteSource(contextFor(deleteClient, reporter), { source: SOURCE, target }, backup!, settingsFor(backupDir, { confirmDelete: [SOURCE] }))).rejects.toMatchObject({ code: 'DELETE_REFUSED' })
      } finally {
        deleteClient.destroy()
      }
      expect(await describeTable(contextFor(direct, reporter), SOURCE)).toBeDefined()
      expect(await tableState(direct, SOURCE)).toEqual(sourceState)
      return { error: e, details, targetCount, stats: structuredClone(proxy.stats) }
    } finally {
      client.destroy()
    }
  }

  it('every BatchWriteItem throttled: WRITE_INCOMPLETE, all items named as not written', async () => {
    // Two engine attempts of three SDK attempts each (the SDK's throttling backoff is slow).
    const { details, stats, targetCount } = await expectIncomplete('always-throttle', [{ kind: 'throttle', target: 'BatchWriteItem', always: true }], { ...FAST_RETRY, maxAttempts: 2 })
    expect(details.written).toBe(0)
    expect(targetCount).toBe(0)
    expect(stats.faults.throttle).toBe(stats.requests.BatchWriteItem)
    expect(stats.faults.throttle).toBeGreaterThan(0)
  }, 40_000)

  it('every BatchWriteItem reset after the server wrote it: WRITE_INCOMPLETE, and the count says nothing was confirmed', async () => {
    const { details, stats, targetCount } = await expectIncomplete('always-reset-after', [{ kind: 'reset-after', target: 'BatchWriteItem', always: true }])
    // The server wrote the batches it saw (the first 4, sent again and again), but the engine
    // never got an answer: it does not claim them, and the target is not verified.
    expect(details.written).toBe(0)
    expect(targetCount).toBe(100)
    expect(stats.faults['reset-after']).toBeGreaterThan(0)
  }, 40_000)

  it('every BatchWriteItem after the first 8 fails with 500: WRITE_INCOMPLETE names the 200 written and the rest', async () => {
    const { details, stats, targetCount } = await expectIncomplete('fail-after-200', [{ kind: 'internal-500', target: 'BatchWriteItem', always: true, after: 8 }])
    expect(details.written).toBe(200)
    expect(targetCount).toBe(200)
    expect(stats.faults['internal-500']).toBe(stats.requests.BatchWriteItem! - 8)
  }, 40_000)
})

describe('source written to while migrate runs', () => {
  it('verification reports the differing keys and delete refuses', async () => {
    const source = 'faults-busy-source'
    const target = 'faults-busy-target'
    created.push(source, target)
    await createTable(direct, orderTrackingSchema(source))
    const items = orderItems(400, { pad: 80 })
    await putItems(direct, source, items)
    const before = await tableState(direct, source)

    // A writer on its own client, straight to the server: updates, deletes and adds, each key once.
    const writerClient = localClient()
    const touched = new Map<string, 'changed' | 'missing' | 'extra'>()
    let ops = 0
    let opsAfterBackup = 0
    let backupDone = false
    let stop = false
    let started: Promise<void> | undefined
    const writer = async () => {
      // i < 400 with a step of 7 (coprime to 400): no key is touched twice.
      for (let i = 0; !stop && i < 400; i++) {
        const victim = items[(i * 7) % items.length] as JsonItem
        const key = { companyId: victim.companyId, recordId: victim.recordId } as JsonItem
        // Counted as after the backup only when it was sent after the backup had finished.
        const afterBackup = backupDone
        const keyText = (k: JsonItem) => `companyId=${JSON.stringify((k.companyId as { S: string }).S)}, recordId=${JSON.stringify((k.recordId as { S: string }).S)}`
        if (i % 3 === 0) {
          await writerClient.send(
            new UpdateItemCommand({ TableName: source, Key: toSdkItem(key), UpdateExpression: 'SET #s = :s', ExpressionAttributeNames: { '#s': 'status' }, ExpressionAttributeValues: { ':s': { S: `CHANGED-${i}` } } })
          )
          touched.set(keyText(key), 'changed')
        } else if (i % 3 === 1) {
          await writerClient.send(new DeleteItemCommand({ TableName: source, Key: toSdkItem(key) }))
          touched.set(keyText(key), 'missing')
        } else {
          const added: JsonItem = { companyId: { S: 'company-writer' }, recordId: { S: `added-${i}` }, createdAt: { S: new Date(Date.UTC(2026, 5, 1, 0, 0, i)).toISOString() } }
          await writerClient.send(new PutItemCommand({ TableName: source, Item: toSdkItem(added) }))
          touched.set(keyText(added), 'extra')
        }
        ops++
        if (afterBackup) opsAfterBackup++
        await new Promise((resolve) => setTimeout(resolve, 2))
      }
    }

    // The writer starts at the backup's first progress event (after the first scan page), and
    // the flow goes on from the backup only once the writer has changed the source after it.
    const reporter = new RecordingReporter()
    const progress = reporter.progress.bind(reporter)
    reporter.progress = (event) => {
      progress(event)
      if (event.phase === 'backup' && !started) started = writer()
    }
    const ctx = contextFor(direct, reporter)
    const result = await migratePair(ctx, { source, target }, settingsFor(path.join(backupDir, 'busy'), { scanSegments: 3, writeConcurrency: 4 }), {
      onBackup: async () => {
        backupDone = true
        const deadline = Date.now() + 10_000
        while (opsAfterBackup < 6 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5))
      }
    })
    stop = true
    await started
    writerClient.destroy()

    expect(started).toBeDefined()
    expect(opsAfterBackup).toBeGreaterThanOrEqual(6)
    // The target is a faithful copy of the backup...
    expect(result.status).toBe('verified')
    const backup = await readManifest(result.backup!.dir)
    expect(await tableState(direct, target)).toEqual({ count: backup.manifest.itemCount, digest: backup.manifest.digest })

    // ...but the source moved on: verifying the source against the backup names the keys.
    const now = await tableState(direct, source)
    expect(now).not.toEqual(before)
    const sourceVerify = await verifyAgainstBackup(ctx, backup, { target: source, segments: 3, consistentRead: true })
    expect(sourceVerify.verified).toBe(false)
    const diff = sourceVerify.diff!
    const differing = diff.missing + diff.extra + diff.changed
    expect(differing).toBeGreaterThanOrEqual(opsAfterBackup)
    expect(differing).toBeLessThanOrEqual(ops)
    expect(diff.examples.length).toBe(Math.min(20, differing))
    for (const example of diff.examples) expect(touched.get(example.key)).toBe(example.kind)

    // Delete refuses: the writes after the backup are not in the target.
    const refusal = await deleteSource(ctx, { source, target }, backup, settingsFor(backupDir, { confirmDelete: [source] })).catch((e: unknown) => e)
    expect(refusal).toMatchObject({ code: 'DELETE_REFUSED' })
    expect((refusal as Error).message).toMatch(/changed since the backup/)
    expect(await describeTable(ctx, source)).toBeDefined()
    expect(await tableState(direct, source)).toEqual(now)
  }, 40_000)
})
