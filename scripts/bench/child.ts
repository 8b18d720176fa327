// One benchmark measurement, in its own process so that its peak RSS and CPU time are its own.
// Bundled by scripts/bench.ts (esbuild) and run with plain node, like the bundled action.
// Input: one JSON argument; output: one line `BENCH_RESULT <json>` on stdout.
import { BatchWriteItemCommand, CreateTableCommand, DeleteTableCommand, type AttributeValue, type WriteRequest } from '@aws-sdk/client-dynamodb'
import { readFileSync } from 'node:fs'
import { dynamoClient } from '../../src/aws/clients.js'
import { readManifest } from '../../src/backup/manifest.js'
import { toSdkItem } from '../../src/dynamo/attribute-json.js'
import { createTableFromSchema, describeTable, readTableSchema, waitForActive } from '../../src/dynamo/tables.js'
import { backupTable } from '../../src/engine/backup.js'
import { engineContext, type ProgressEvent, type Reporter } from '../../src/engine/context.js'
import { copyBackup } from '../../src/engine/copy.js'
import { migratePair } from '../../src/engine/migrate.js'
import { DEFAULT_SETTINGS } from '../../src/engine/settings.js'
import { verifyAgainstBackup } from '../../src/engine/verify.js'
import { benchItem, benchTableSchema } from './items.js'

export interface ChildArgs {
  kind: 'raw' | 'seed' | 'backup' | 'copy' | 'verify' | 'migrate'
  endpoint: string
  table: string
  /** raw: items to write; others: items expected. */
  items: number
  itemBytes?: number
  /** raw: BatchWriteItem requests in flight. */
  concurrency?: number
  /** raw: drop the table afterwards (probes). */
  drop?: boolean
  scanSegments?: number
  writeConcurrency?: number
  /** backup: folder to create; copy/verify: the backup folder. */
  dir?: string
  /** copy/verify/migrate: the target table. */
  target?: string
  /** migrate: backup-dir. */
  backupDir?: string
  /** The server's process id: its CPU time over the timed section is read from /proc. */
  serverPid?: number
}

export interface ChildResult {
  kind: ChildArgs['kind']
  items: number
  wallMs: number
  maxRssMb: number
  /** Heap in use after a full garbage collection at the end (with node --expose-gc). */
  retainedHeapMb?: number
  /** CPU time of this process (user + system) over the timed section. */
  cpuMs: number
  /** CPU time of the server process over the same section, when /proc is readable. */
  serverCpuMs?: number
  detail: Record<string, unknown>
}

const args = JSON.parse(process.argv[2] ?? '{}') as ChildArgs
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' }
const scanSegments = args.scanSegments ?? DEFAULT_SETTINGS.scanSegments
const writeConcurrency = args.writeConcurrency ?? DEFAULT_SETTINGS.writeConcurrency
const client = dynamoClient({
  region: 'us-east-1',
  endpointUrl: args.endpoint,
  credentials,
  // As the action sizes it (src/main.ts).
  maxSockets: Math.max(args.concurrency ?? 0, writeConcurrency * DEFAULT_SETTINGS.tableConcurrency + scanSegments * 2)
})
const finals: Record<string, { done: number; seconds: number }> = {}
const reporter: Reporter = {
  info: () => {},
  // dynalite has no point-in-time recovery: the schema reader's warning about it is expected.
  warn: (m) => (/point-in-time recovery/.test(m) ? undefined : process.stderr.write(`warning: ${m}\n`)),
  progress: (e: ProgressEvent) => {
    if (e.final) finals[e.phase] = { done: e.done, seconds: e.rate > 0 ? e.done / e.rate : 0 }
  }
}
const ctx = engineContext(client, reporter)
const settings = { ...DEFAULT_SETTINGS, scanSegments, writeConcurrency }

/** CPU seconds (user + system) of a process, from /proc/<pid>/stat; undefined where unreadable. */
function processCpuMs(pid: number | undefined): number | undefined {
  if (!pid) return undefined
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // Fields after the command name (which may hold spaces) start at ") ".
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    const ticks = Number(fields[11]) + Number(fields[12])
    return (ticks * 1000) / CLOCK_TICKS
  } catch {
    return undefined
  }
}
const CLOCK_TICKS = 100

let timedCpuMs = 0
let timedServerCpuMs: number | undefined
async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const server = processCpuMs(args.serverPid)
  const cpu = process.cpuUsage()
  const started = performance.now()
  const value = await fn()
  const ms = performance.now() - started
  const used = process.cpuUsage(cpu)
  timedCpuMs = (used.user + used.system) / 1000
  const serverAfter = processCpuMs(args.serverPid)
  timedServerCpuMs = server !== undefined && serverAfter !== undefined ? serverAfter - server : undefined
  return { value, ms }
}

async function createBenchTable(): Promise<void> {
  await client.send(new CreateTableCommand(benchTableSchema(args.table)))
  await waitForActive(ctx, args.table)
}

/** BatchWriteItem with `concurrency` requests in flight, every UnprocessedItems entry re-sent. */
async function writeBatches(next: (worker: number) => WriteRequest[] | undefined, concurrency: number): Promise<number> {
  let retries = 0
  const worker = async (w: number) => {
    for (let batch = next(w); batch; batch = next(w)) {
      let pending = batch
      while (pending.length) {
        const out = await client.send(new BatchWriteItemCommand({ RequestItems: { [args.table]: pending } }))
        pending = out.UnprocessedItems?.[args.table] ?? []
        if (pending.length) retries++
      }
    }
  }
  await Promise.all(Array.from({ length: concurrency }, (_, w) => worker(w)))
  return retries
}

/**
 * The raw writer: the server's limit for BatchWriteItem from one client. Requests are built
 * before the clock starts; each worker owns one batch of 25 real items and only gives them the
 * next keys before each send (a table-sized array of prebuilt requests would put gigabytes on
 * the heap and measure the garbage collector instead).
 */
async function raw(): Promise<{ ms: number; detail: Record<string, unknown> }> {
  const concurrency = args.concurrency ?? 16
  const templates = Array.from({ length: concurrency }, (_, w) => Array.from({ length: 25 }, (_, k) => ({ PutRequest: { Item: toSdkItem(benchItem(w * 25 + k, args.itemBytes)) } })))
  await createBenchTable()
  let offset = 0
  // A worker sends one batch at a time and owns its template: rewriting it never touches a request in flight.
  const next = (worker: number): WriteRequest[] | undefined => {
    if (offset >= args.items) return undefined
    const batch = templates[worker] as Array<{ PutRequest: { Item: Record<string, AttributeValue> } }>
    const size = Math.min(25, args.items - offset)
    for (let k = 0; k < size; k++) {
      const item = (batch[k] as { PutRequest: { Item: Record<string, AttributeValue> } }).PutRequest.Item
      const i = offset + k
      item.pk = { S: `customer-${String(i % 5000).padStart(5, '0')}` }
      item.sk = { N: String(i) }
    }
    offset += size
    return size === 25 ? batch : batch.slice(0, size)
  }
  const { value: retries, ms } = await timed(() => writeBatches(next, concurrency))
  if (args.drop) await client.send(new DeleteTableCommand({ TableName: args.table }))
  return { ms, detail: { concurrency, retries } }
}

/** Fills a source table with `items` distinct benchmark items (built as they are sent). */
async function seed(): Promise<{ ms: number; detail: Record<string, unknown> }> {
  await createBenchTable()
  let offset = 0
  const next = (): WriteRequest[] | undefined => {
    if (offset >= args.items) return undefined
    const batch: WriteRequest[] = []
    for (let i = offset; i < Math.min(args.items, offset + 25); i++) batch.push({ PutRequest: { Item: toSdkItem(benchItem(i, args.itemBytes)) } })
    offset += batch.length
    return batch
  }
  const { value: retries, ms } = await timed(() => writeBatches(next, args.concurrency ?? 16))
  return { ms, detail: { retries } }
}

async function backup(): Promise<{ ms: number; detail: Record<string, unknown> }> {
  const description = await describeTable(ctx, args.table)
  if (!description) throw new Error(`${args.table} does not exist`)
  const schema = await readTableSchema(ctx, description, [])
  const { value, ms } = await timed(() =>
    backupTable(ctx, { table: args.table, description, schema, dir: args.dir as string, totalSegments: scanSegments, consistentRead: false })
  )
  if (value.manifest.itemCount !== args.items) throw new Error(`backup holds ${value.manifest.itemCount} items, expected ${args.items}`)
  return { ms, detail: { dir: value.dir, scanSegments, gzBytes: value.manifest.files.reduce((a, f) => a + f.bytes, 0), rawBytes: value.manifest.bytes } }
}

async function copy(): Promise<{ ms: number; detail: Record<string, unknown> }> {
  const loaded = await readManifest(args.dir as string)
  const target = args.target as string
  await createTableFromSchema(ctx, target, { ...loaded.manifest.table.schema, createTable: { ...loaded.manifest.table.schema.createTable, TableName: target } }, [])
  const { value, ms } = await timed(() => copyBackup(ctx, loaded, { target, writeConcurrency, maxWriteRate: 0, resume: false }))
  if (value.written !== args.items) throw new Error(`copied ${value.written} items, expected ${args.items}`)
  return { ms, detail: { writeConcurrency, retries: value.retries } }
}

async function verify(): Promise<{ ms: number; detail: Record<string, unknown> }> {
  const loaded = await readManifest(args.dir as string)
  const { value, ms } = await timed(() => verifyAgainstBackup(ctx, loaded, { target: args.target as string, segments: scanSegments, consistentRead: true }))
  if (!value.verified) throw new Error(`${args.target} is not verified`)
  return { ms, detail: { scanSegments, verified: value.verified } }
}

async function migrate(): Promise<{ ms: number; detail: Record<string, unknown> }> {
  const { value, ms } = await timed(() => migratePair(ctx, { source: args.table, target: args.target as string }, { ...settings, backupDir: args.backupDir as string }))
  if (value.status !== 'verified' || value.itemsWritten !== args.items) throw new Error(`migrate ended ${value.status} with ${value.itemsWritten} items written`)
  const phases = Object.fromEntries(Object.entries(finals).map(([phase, f]) => [phase, { seconds: Number(f.seconds.toFixed(3)), itemsPerSecond: f.seconds > 0 ? Math.round(f.done / f.seconds) : undefined }]))
  return { ms, detail: { scanSegments, writeConcurrency, phases, backup: value.backup?.dir } }
}

// Peaks of the JavaScript heap and of memory outside it (buffers), sampled: where the RSS goes.
const peaks = { heapUsedMb: 0, heapTotalMb: 0, externalMb: 0 }
const sampler = setInterval(() => {
  const m = process.memoryUsage()
  peaks.heapUsedMb = Math.max(peaks.heapUsedMb, m.heapUsed / 2 ** 20)
  peaks.heapTotalMb = Math.max(peaks.heapTotalMb, m.heapTotal / 2 ** 20)
  peaks.externalMb = Math.max(peaks.externalMb, m.external / 2 ** 20)
}, 250)

const run = { raw, seed, backup, copy, verify, migrate }[args.kind]
try {
  const { ms, detail: measured } = await run()
  clearInterval(sampler)
  // What the run left on the heap once garbage is collected (node --expose-gc): the same at every
  // table size when nothing accumulates per item, however V8 sizes the heap while it runs.
  const gc = (globalThis as { gc?: () => void }).gc
  gc?.()
  gc?.()
  const retainedHeapMb = gc ? Math.round((process.memoryUsage().heapUsed / 2 ** 20) * 10) / 10 : undefined
  const detail = { ...measured, memory: Object.fromEntries(Object.entries(peaks).map(([k, v]) => [k, Math.round(v)])) }
  const usage = process.resourceUsage()
  const result: ChildResult = {
    kind: args.kind,
    items: args.items,
    wallMs: Math.round(ms),
    maxRssMb: Math.round((usage.maxRSS / 1024) * 10) / 10,
    ...(retainedHeapMb !== undefined ? { retainedHeapMb } : {}),
    cpuMs: Math.round(timedCpuMs),
    ...(timedServerCpuMs !== undefined ? { serverCpuMs: Math.round(timedServerCpuMs) } : {}),
    detail
  }
  process.stdout.write(`BENCH_RESULT ${JSON.stringify(result)}\n`)
} finally {
  clearInterval(sampler)
  client.destroy()
}
