import { existsSync, promises as fs, createReadStream } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { createInterface } from 'node:readline'
import { BatchWriteItemCommand, UpdateTableCommand, type DynamoDBClient, type TableDescription, type WriteRequest } from '@aws-sdk/client-dynamodb'
import { DynamoDBStreamsClient, type _Record } from '@aws-sdk/client-dynamodb-streams'
import { MANIFEST_FILE, type LoadedBackup } from '../backup/manifest.js'
import { readPart } from '../backup/part-reader.js'
import { writeState } from '../backup/state.js'
import { toJsonItem, type SdkItem } from '../dynamo/attribute-json.js'
import { itemHash } from '../dynamo/digest.js'
import { backoffDelay, isRetryable } from '../dynamo/retry.js'
import { StreamTail, streamsApi, type StreamsApi, type TailPosition } from '../dynamo/streams.js'
import { keyAttributes } from '../dynamo/table-schema.js'
import { createTableFromSchema, describeTable, waitForActive } from '../dynamo/tables.js'
import { MigrationError, errorMessage } from '../errors.js'
import { backupTable } from './backup.js'
import type { EngineContext } from './context.js'
import { copyBackup } from './copy.js'
import { keyText, keyedDiff } from './keyed-diff.js'
import { backupFolder } from './migrate.js'
import { estimatedRate } from './plan.js'
import { assertNoRefusals, preflight } from './preflight.js'
import type { LiveSummary, MigrationResult } from './result.js'
import { scanDigest } from './scan-digest.js'
import type { EngineSettings, LiveSettings, MigrationPair } from './settings.js'
import { verifyAgainstBackup } from './verify.js'
import { assertConfirmed, assertDeletable, dropSourceTable, refuser } from './delete.js'

/*
 * Live migration: copy while the application keeps writing, then catch up through the source's
 * DynamoDB stream (docs/live-migration.md).
 *
 *   ensure stream ─► record position ─► backup scan (consistent) ─► create target ─► copy ─► verify copy
 *   (LATEST iterator    (pinned to a sequence number while the copy runs)
 *    per open shard)
 *   ─► replay + tail (lineage order, coalesced per key) ─► stop (quiet / duration / cut-over file)
 *   ─► final check (source vs target, or source vs what was copied + replayed) ─► live-state.json
 *
 * Why LATEST iterators taken before the scan are the exact position: every change whose stream
 * record is before them was committed before the scan started, so a strongly consistent scan sees
 * it (or a later value); every change after them is replayed. Replaying a change the scan already
 * saw is harmless: the replay puts each key's newest image last. A timestamp position
 * (TRIM_HORIZON filtered by ApproximateCreationDateTime) is not exact: that time is rounded (to the
 * second on AWS, to the minute on DynamoDB Local), so it needs slack and reads up to 24 hours of
 * records for nothing.
 */

export const LIVE_STATE_FILE = 'live-state.json'
export const LIVE_KEYS_FILE = 'live-keys.jsonl'
export const LIVE_STATE_FORMAT = 'dynamodb-table-migrate/live@1'

/** Share of the 24-hour stream retention a live copy may be estimated to take. */
export const SAFE_RETENTION_SHARE = 0.5
const RETENTION_SECONDS = 24 * 3600
const DEFAULT_QUIET_SECONDS = 60
const DEFAULT_DRAIN_QUIET_SECONDS = 10
const DISCOVER_EVERY_MS = 10_000
const PROGRESS_EVERY_MS = 5_000
const SAVE_EVERY_MS = 30_000
const PIN_EVERY_MS = 60_000

/** What a live migration records beside its backup: the stream position, progress and the final check. */
export interface LiveState {
  format: typeof LIVE_STATE_FORMAT
  source: string
  target: string
  streamArn: string
  /** This tool turned the stream on (allow-enable-stream). */
  enabledStream: boolean
  /** The target matched the backup after the copy, before any replay. */
  copyVerified: boolean
  position: TailPosition
  recordsApplied: number
  peakLagSeconds: number
  inSyncSeconds: number
  check?: LiveCheck
  updatedAt: string
}

export interface LiveCheck {
  passed: boolean
  kind?: 'source-equals-target' | 'source-equals-replay'
  at: string
  source: { count: number; digest: string }
  target: { count: number; digest: string }
  /** What the target holds from this migration: the backup with every replayed change applied. */
  replayed?: { count: number; digest: string }
  differingKeys?: number
  writesRunning?: boolean
  lagSeconds?: number
}

export interface LiveOptions {
  /** The backup (with live-state.json) of an earlier live run: resume its stream position. */
  backup?: LoadedBackup
  onBackup?: (backup: LoadedBackup) => Promise<void>
  /** A DynamoDB Streams client, or the API over one; by default one is built like ctx.client. */
  streams?: DynamoDBStreamsClient | StreamsApi
  now?: () => number
  /** How often the position is kept alive during the copy (default 60 s; iterators expire after 15 min). */
  pinIntervalMs?: number
}

// ───────────────────────────── stream setup ─────────────────────────────

const NEW_IMAGE_VIEWS = new Set(['NEW_IMAGE', 'NEW_AND_OLD_IMAGES'])

export function enableStreamCommand(table: string): string {
  return `aws dynamodb update-table --table-name ${table} --stream-specification StreamEnabled=true,StreamViewType=NEW_AND_OLD_IMAGES`
}

/**
 * The source's stream ARN, turning a stream on only when allowed. Refuses (nothing changed)
 * when there is none, or when it carries no new images (changing the view type means disabling
 * and re-enabling the stream, which cuts off its other readers: that is the owner's decision).
 */
export async function ensureStream(ctx: EngineContext, table: string, description: TableDescription, live: LiveSettings): Promise<{ streamArn: string; enabled: boolean }> {
  const spec = description.StreamSpecification
  if (spec?.StreamEnabled && description.LatestStreamArn) {
    if (!NEW_IMAGE_VIEWS.has(spec.StreamViewType ?? '')) {
      throw new MigrationError(
        'STREAM_NOT_ENABLED',
        `Refusing live migration of ${table}: its stream has view type ${spec.StreamViewType}, which carries no new item images. A live copy needs NEW_IMAGE or NEW_AND_OLD_IMAGES; changing it means disabling and re-enabling the stream (its other readers lose their position), so do it yourself if that is fine: aws dynamodb update-table --table-name ${table} --stream-specification StreamEnabled=false, then ${enableStreamCommand(table)}. Nothing was changed.`
      )
    }
    return { streamArn: description.LatestStreamArn, enabled: false }
  }
  if (!live.allowEnableStream) {
    throw new MigrationError(
      'STREAM_NOT_ENABLED',
      `Refusing live migration of ${table}: it has no DynamoDB stream, and turning one on changes the source table. Enable it yourself (${enableStreamCommand(table)}) or set allow-enable-stream: true. Nothing was changed.`
    )
  }
  ctx.reporter.info(`${table}: enabling a DynamoDB stream (NEW_AND_OLD_IMAGES), as allow-enable-stream permits; it stays on after the migration`)
  await ctx.client.send(new UpdateTableCommand({ TableName: table, StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' } }))
  const after = await waitForActive(ctx, table)
  if (!after.LatestStreamArn) throw new MigrationError('STREAM_NOT_ENABLED', `${table}: the stream was enabled but DescribeTable shows no stream ARN`)
  return { streamArn: after.LatestStreamArn, enabled: true }
}

/** Seconds a live copy is expected to take: the backup scan, the copy and the copy's verification. */
export function estimatedLiveCopySeconds(itemCount: number, settings: EngineSettings, provisionedWcu?: number): number {
  const rate = estimatedRate(settings, provisionedWcu)
  // The copy at `rate`; the two scans (backup, verify) are counted at the same rate, a safe overestimate.
  return Math.ceil((itemCount / rate) * 2)
}

/** Builds a Streams client like ctx.client (same region, credentials and custom endpoint). */
export function streamsClientLike(client: DynamoDBClient): DynamoDBStreamsClient {
  const config = client.config
  return new DynamoDBStreamsClient({
    region: config.region,
    credentials: config.credentials,
    endpoint: config.isCustomEndpoint ? config.endpoint : undefined,
    maxAttempts: 3
  })
}

function apiFor(ctx: EngineContext, streams: LiveOptions['streams']): { api: StreamsApi; close: () => void } {
  if (streams && !(streams instanceof DynamoDBStreamsClient)) return { api: streams, close: () => {} }
  const client = streams ?? streamsClientLike(ctx.client)
  return { api: streamsApi(client, ctx.retry, ctx.clock), close: () => (streams ? undefined : client.destroy()) }
}

// ───────────────────────────── state files ─────────────────────────────

export async function readLiveState(dir: string): Promise<LiveState | undefined> {
  const text = await fs.readFile(path.join(dir, LIVE_STATE_FILE), 'utf8').catch(() => undefined)
  if (text === undefined) return undefined
  const state = JSON.parse(text) as LiveState
  if (state.format !== LIVE_STATE_FORMAT) throw new MigrationError('BACKUP_INVALID', `${path.join(dir, LIVE_STATE_FILE)} is not a live-migration state (${String(state.format)})`)
  return state
}

async function writeLiveState(dir: string, state: LiveState): Promise<void> {
  const file = path.join(dir, LIVE_STATE_FILE)
  await fs.writeFile(`${file}.tmp`, JSON.stringify({ ...state, updatedAt: new Date().toISOString() }, null, 2))
  await fs.rename(`${file}.tmp`, file)
}

/** Keys changed by the replay, each with the hash of its newest image (null: deleted). */
type Touched = Map<string, string | null>

async function readTouched(dir: string): Promise<Touched> {
  const touched: Touched = new Map()
  const file = path.join(dir, LIVE_KEYS_FILE)
  if (!existsSync(file)) return touched
  for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
    if (!line) continue
    const [key, hash] = JSON.parse(line) as [string, string | null]
    touched.set(key, hash)
  }
  return touched
}

async function writeTouched(dir: string, touched: Touched): Promise<void> {
  const file = path.join(dir, LIVE_KEYS_FILE)
  const handle = await fs.open(`${file}.tmp`, 'w')
  try {
    let chunk = ''
    for (const entry of touched) {
      chunk += JSON.stringify(entry) + '\n'
      if (chunk.length > 1 << 20) {
        await handle.write(chunk)
        chunk = ''
      }
    }
    await handle.write(chunk)
  } finally {
    await handle.close()
  }
  await fs.rename(`${file}.tmp`, file)
}

// ───────────────────────────── applying records ─────────────────────────────

interface Change {
  key: string
  request: WriteRequest
  hash: string | null
}

/**
 * Turns records (in order per key) into one write per key: the newest image as a put, or a
 * delete. Coalescing keeps per-key order (only the last change of a key in the batch counts,
 * and batches are applied one after the other) and means no BatchWriteItem ever names a key
 * twice (DynamoDB rejects such a batch).
 */
export function coalesce(records: _Record[], keyNames: string[]): Change[] {
  const byKey = new Map<string, Change>()
  for (const record of records) {
    const data = record.dynamodb
    if (!data?.Keys) continue
    const key = keyText(toJsonItem(data.Keys as SdkItem), keyNames)
    let change: Change
    if (record.eventName === 'REMOVE') {
      change = { key, request: { DeleteRequest: { Key: data.Keys as SdkItem } }, hash: null }
    } else {
      if (!data.NewImage) {
        throw new MigrationError('STREAM_NOT_ENABLED', `A ${record.eventName} stream record carries no new image: the stream's view type must be NEW_IMAGE or NEW_AND_OLD_IMAGES`)
      }
      change = { key, request: { PutRequest: { Item: data.NewImage as SdkItem } }, hash: itemHash(toJsonItem(data.NewImage as SdkItem)) }
    }
    byKey.delete(key)
    byKey.set(key, change)
  }
  return [...byKey.values()]
}

/** Writes changes for distinct keys with BatchWriteItem, `concurrency` requests in flight. */
async function writeChanges(ctx: EngineContext, table: string, changes: Change[], concurrency: number): Promise<void> {
  const batches: WriteRequest[][] = []
  for (let i = 0; i < changes.length; i += 25) batches.push(changes.slice(i, i + 25).map((c) => c.request))
  let next = 0
  const worker = async () => {
    while (next < batches.length) {
      let pending = batches[next++] as WriteRequest[]
      let stalled = 0
      let lastError: unknown
      while (pending.length) {
        try {
          const out = await ctx.client.send(new BatchWriteItemCommand({ RequestItems: { [table]: pending } }))
          const unprocessed = out.UnprocessedItems?.[table] ?? []
          stalled = unprocessed.length < pending.length ? 0 : stalled + 1
          lastError = `${unprocessed.length} UnprocessedItems returned`
          pending = unprocessed
        } catch (error) {
          if (!isRetryable(error)) throw error
          stalled++
          lastError = error
        }
        if (!pending.length) break
        if (stalled >= ctx.retry.maxAttempts) {
          throw new MigrationError('WRITE_INCOMPLETE', `Replay into ${table} stopped: ${pending.length} changes still failing after ${ctx.retry.maxAttempts} attempts (${errorMessage(lastError)}). The target is behind the source and NOT verified; rerun the live migration with the backup to continue from the last applied record.`)
        }
        await ctx.clock.sleep(backoffDelay(Math.max(1, stalled), ctx.retry, ctx.clock.random))
      }
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, batches.length)) }, worker))
}

// ───────────────────────────── the sync loop ─────────────────────────────

export interface SyncStats {
  recordsApplied: number
  writes: number
  peakLagSeconds: number
  finalLagSeconds: number
  inSyncSeconds: number
  stoppedBecause: 'quiet' | 'duration' | 'cutover'
  durationMs: number
  /** From the start until the last record was applied (the replay rate is recordsApplied / activeMs). */
  activeMs: number
}

export interface SyncOptions {
  label: string
  target: string
  keyNames: string[]
  live: LiveSettings
  writeConcurrency: number
  touched: Touched
  /** Called about every 30 s and at the end, to persist the position. */
  save?: () => Promise<void>
  now?: () => number
}

/**
 * Replays the stream into the target and keeps tailing it until a stop condition holds
 * (docs/live-migration.md): in sync (lag ≤ sync-lag-seconds) and either quiet for quiet-seconds,
 * in sync for sync-duration, or the cut-over file present and then quiet.
 */
export async function syncStream(ctx: EngineContext, tail: StreamTail, options: SyncOptions): Promise<SyncStats> {
  const now = options.now ?? Date.now
  const { live } = options
  const noStop = live.quietSeconds === undefined && live.syncDurationSeconds === undefined && !live.cutoverFile
  const quietSeconds = live.quietSeconds ?? (noStop ? DEFAULT_QUIET_SECONDS : undefined)
  const drainQuietSeconds = live.quietSeconds ?? DEFAULT_DRAIN_QUIET_SECONDS
  const poll = live.pollIntervalMs ?? 1000
  const started = now()
  let lastRecordAt = started
  let lastTick = started
  let wasInSync = false
  let firstInSync: number | undefined
  let inSyncMs = 0
  let peakLag = 0
  let lag = 0
  let applied = 0
  let writes = 0
  let cutoverAt: number | undefined
  let lastProgress = started
  let lastSave = started
  let appliedAtLastProgress = 0
  const progress = (final = false) => {
    const t = now()
    const rate = ((applied - appliedAtLastProgress) / Math.max(0.001, (t - lastProgress) / 1000)).toFixed(0)
    ctx.reporter.info(
      `live ${options.label}: ${applied.toLocaleString('en-US')} stream records applied (${rate}/s), lag ${lag.toFixed(1)} s (peak ${peakLag.toFixed(1)} s), ` +
        `${wasInSync ? `in sync for ${Math.round(inSyncMs / 1000)} s` : 'catching up'}, ${tail.readingCount} shard(s) open${final ? ' (stopped)' : ''}`
    )
    lastProgress = t
    appliedAtLastProgress = applied
  }

  for (;;) {
    if (tail.needsDiscovery || now() - tail.lastDiscoveryAt > DISCOVER_EVERY_MS) await tail.discover()
    const pages = await tail.fetch()
    const records = pages.flatMap((p) => p.records)
    if (records.length) {
      const changes = coalesce(records, options.keyNames)
      await writeChanges(ctx, options.target, changes, options.writeConcurrency)
      for (const c of changes) options.touched.set(c.key, c.hash)
      writes += changes.length
      applied += records.length
      lastRecordAt = now()
    }
    tail.commit(pages)

    const t = now()
    lag = tail.lagSeconds()
    peakLag = Math.max(peakLag, lag)
    const inSync = lag <= live.syncLagSeconds
    if (inSync && wasInSync) inSyncMs += t - lastTick
    if (inSync) firstInSync ??= t
    wasInSync = inSync
    lastTick = t
    if (t - lastProgress >= PROGRESS_EVERY_MS) progress()
    if (options.save && t - lastSave >= SAVE_EVERY_MS) {
      await options.save()
      lastSave = t
    }

    if (live.cutoverFile && cutoverAt === undefined && existsSync(live.cutoverFile)) {
      cutoverAt = t
      ctx.reporter.info(`live ${options.label}: cut-over signal ${live.cutoverFile} found; draining until the source has been quiet for ${drainQuietSeconds} s`)
    }
    const quietMs = t - lastRecordAt
    let stop: SyncStats['stoppedBecause'] | undefined
    if (inSync) {
      if (cutoverAt !== undefined && quietMs >= drainQuietSeconds * 1000) stop = 'cutover'
      else if (cutoverAt === undefined && !live.cutoverFile && quietSeconds !== undefined && quietMs >= quietSeconds * 1000) stop = 'quiet'
      else if (live.syncDurationSeconds !== undefined && firstInSync !== undefined && t - firstInSync >= live.syncDurationSeconds * 1000) stop = 'duration'
    }
    if (stop) {
      progress(true)
      await options.save?.()
      return { recordsApplied: applied, writes, peakLagSeconds: peakLag, finalLagSeconds: lag, inSyncSeconds: inSyncMs / 1000, stoppedBecause: stop, durationMs: t - started, activeMs: applied ? lastRecordAt - started : 0 }
    }
    if (!records.length) await ctx.clock.sleep(poll)
  }
}

/** Keeps the position's iterators alive while `work` runs (they expire after 15 minutes). */
async function whilePinned<T>(ctx: EngineContext, tail: StreamTail, work: () => Promise<T>, everyMs = PIN_EVERY_MS): Promise<T> {
  let stopped = false
  let failure: unknown
  const loop = (async () => {
    let last = Date.now()
    while (!stopped) {
      await ctx.clock.sleep(Math.min(500, everyMs))
      if (stopped || Date.now() - last < everyMs) continue
      last = Date.now()
      try {
        await tail.pin()
      } catch (error) {
        failure = error
        return
      }
    }
  })()
  try {
    const result = await work()
    if (failure) throw failure
    return result
  } finally {
    stopped = true
    await loop
  }
}

// ───────────────────────────── final check ─────────────────────────────

/** Count and digest of the backup with every replayed change applied: what this migration wrote into the target. */
export async function replayedDigest(backup: LoadedBackup, touched: Touched): Promise<{ count: number; digest: string }> {
  const MOD = 1n << 256n
  let sum = BigInt('0x' + backup.manifest.digest)
  let count = backup.manifest.itemCount
  if (touched.size) {
    const keys = keyAttributes(backup.manifest.table.schema.createTable)
    for (const entry of backup.manifest.files) {
      for await (const { item } of readPart(backup.dir, entry)) {
        if (!touched.has(keyText(item, keys))) continue
        sum = (sum - BigInt('0x' + itemHash(item)) + MOD) % MOD
        count--
      }
    }
    for (const hash of touched.values()) {
      if (hash === null) continue
      sum = (sum + BigInt('0x' + hash)) % MOD
      count++
    }
  }
  return { count, digest: sum.toString(16).padStart(64, '0') }
}

const same = (a: { count: number; digest: string }, b: { count: number; digest: string }) => a.count === b.count && a.digest === b.digest

/**
 * Source vs target, both by a strongly consistent scan. Equal: passed. Otherwise the source is
 * compared with what this migration wrote (backup + replay): equal means nothing written to the
 * source is missing from the target, whose other differences are writes made to it directly
 * (the application after cut-over). Otherwise the differing keys are counted.
 */
export async function liveCheck(ctx: EngineContext, pair: MigrationPair, backup: LoadedBackup, touched: Touched, settings: EngineSettings): Promise<LiveCheck> {
  const scan = (table: string) => scanDigest(ctx, table, { segments: settings.scanSegments, consistentRead: true, phase: 'verify' }).then((d) => d.toJSON())
  const [source, target] = await Promise.all([scan(pair.source), scan(pair.target)])
  const at = new Date().toISOString()
  if (same(source, target)) {
    ctx.reporter.info(`live ${pair.source} -> ${pair.target}: equal, ${source.count} items, digest ${source.digest.slice(0, 16)}… on both sides`)
    return { passed: true, kind: 'source-equals-target', at, source, target }
  }
  const replayed = await replayedDigest(backup, touched)
  if (same(source, replayed)) {
    ctx.reporter.info(
      `live ${pair.source} -> ${pair.target}: the source (${source.count} items) equals everything copied and replayed into the target; the target differs from it (${target.count} items) by writes made to it directly since`
    )
    return { passed: true, kind: 'source-equals-replay', at, source, target, replayed }
  }
  ctx.reporter.info(`live ${pair.source} -> ${pair.target}: not equal (source ${source.count} items, target ${target.count}); comparing key by key`)
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ddb-live-check-'))
  try {
    const description = await describeTable(ctx, pair.source)
    if (!description) throw new MigrationError('SOURCE_MISSING', `Source table ${pair.source} disappeared during the check`)
    const snapshot = await backupTable(ctx, { table: pair.source, description, schema: backup.manifest.table.schema, dir: path.join(dir, 'source'), totalSegments: settings.scanSegments, consistentRead: true })
    const diff = await keyedDiff(ctx, snapshot, pair.target, settings.scanSegments)
    return { passed: false, at, source, target, replayed, differingKeys: diff.missing + diff.extra + diff.changed }
  } finally {
    await fs.rm(dir, { recursive: true, force: true })
  }
}

// ───────────────────────────── the flows ─────────────────────────────

function summary(state: LiveState, stats: Partial<SyncStats>, stoppedBecause: LiveSummary['stoppedBecause']): LiveSummary {
  const c = state.check
  return {
    streamArn: state.streamArn,
    recordsApplied: state.recordsApplied,
    peakLagSeconds: round1(state.peakLagSeconds),
    finalLagSeconds: round1(stats.finalLagSeconds ?? 0),
    inSyncSeconds: round1(state.inSyncSeconds),
    stoppedBecause,
    ...(c ? { check: { passed: c.passed, kind: c.kind, differingKeys: c.differingKeys, writesRunning: c.writesRunning } } : {})
  }
}

const round1 = (n: number) => Math.round(n * 10) / 10

function resultFrom(pair: MigrationPair, mode: MigrationResult['mode'], state: LiveState, backup: LoadedBackup, started: number, extra: Partial<MigrationResult>): MigrationResult {
  const c = state.check
  const matched = c?.kind === 'source-equals-replay' ? c.replayed : c?.target
  const status: MigrationResult['status'] = !c ? 'in-sync' : c.passed ? 'verified' : c.writesRunning ? 'in-sync' : 'mismatch'
  return {
    source: pair.source,
    target: pair.target,
    mode,
    status,
    ...(c && !c.passed && !c.writesRunning
      ? { error: { code: 'VERIFY_MISMATCH', message: `${pair.target} does not hold what ${pair.source} holds (${c.differingKeys ?? '?'} keys differ) although the source's stream was quiet; delete stays refused` } }
      : {}),
    itemsScanned: backup.manifest.itemCount,
    itemsVerified: matched?.count,
    ...(c ? { expected: c.source, actual: c.passed ? matched : c.target } : {}),
    backup: { dir: backup.dir, manifest: path.join(backup.dir, MANIFEST_FILE) },
    durationMs: Date.now() - started,
    warnings: [],
    ...extra
  }
}

/**
 * `migrate` with `live: true` for one pair. A fresh run records the stream position, then backs
 * up, copies and verifies the copy as `migrate` does, then replays and tails the stream. With
 * `options.backup` (the backup of an earlier live run, holding live-state.json) it continues
 * from that run's stream position instead: the catch-up after the application moved.
 */
export async function liveMigratePair(ctx: EngineContext, pair: MigrationPair, settings: EngineSettings, options: LiveOptions = {}): Promise<MigrationResult> {
  const live = settings.live
  if (!live?.enabled) throw new MigrationError('INVALID_INPUT', 'liveMigratePair needs settings.live.enabled')
  if (settings.shardCount !== undefined) throw new MigrationError('INVALID_INPUT', 'live migration does not combine with shard fan-out: one runner reads the whole stream')
  const started = Date.now()
  const { api, close } = apiFor(ctx, options.streams)
  try {
    return options.backup ? await resumeLive(ctx, pair, settings, live, options.backup, api, started, options) : await freshLive(ctx, pair, settings, live, api, started, options)
  } finally {
    close()
  }
}

async function freshLive(ctx: EngineContext, pair: MigrationPair, settings: EngineSettings, live: LiveSettings, api: StreamsApi, started: number, options: LiveOptions): Promise<MigrationResult> {
  const check = await preflight(ctx, pair, settings)
  assertNoRefusals(check)
  const source = check.source
  if (!source || !check.targetSchema) throw new Error('preflight passed without a source')
  const warnings = [...check.warnings]

  const items = source.description.ItemCount ?? 0
  const estimate = estimatedLiveCopySeconds(items, settings, check.target?.description.ProvisionedThroughput?.WriteCapacityUnits ?? check.targetSchema.createTable.ProvisionedThroughput?.WriteCapacityUnits)
  if (estimate > RETENTION_SECONDS * SAFE_RETENTION_SHARE) {
    throw new MigrationError(
      'STREAM_RETENTION',
      `Refusing live migration of ${pair.source}: about ${items} items are estimated to take ${(estimate / 3600).toFixed(1)} h to back up, copy and verify, more than ${SAFE_RETENTION_SHARE * 100}% of the stream's 24-hour retention (changes made during the copy must still be in the stream when the replay starts). Raise write-concurrency or max-write-rate, or use the maintenance-window flow. Nothing was changed.`
    )
  }

  const stream = await ensureStream(ctx, pair.source, source.description, live)
  const label = `${pair.source} -> ${pair.target}`
  const tail = new StreamTail(api, stream.streamArn, { table: pair.source, now: options.now })
  await tail.recordPosition()
  ctx.reporter.info(`live ${label}: stream position recorded (${tail.readingCount} open shard(s)) before the scan; changes from now on are replayed after the copy`)

  const state: LiveState = {
    format: LIVE_STATE_FORMAT,
    source: pair.source,
    target: pair.target,
    streamArn: stream.streamArn,
    enabledStream: stream.enabled,
    copyVerified: false,
    position: tail.position(),
    recordsApplied: 0,
    peakLagSeconds: 0,
    inSyncSeconds: 0,
    updatedAt: new Date().toISOString()
  }
  let backup: LoadedBackup | undefined
  let stats: SyncStats | undefined
  const touched: Touched = new Map()
  try {
    const copied = await whilePinned(ctx, tail, async () => {
      // Strongly consistent: every change before the recorded position is in the scan (see top).
      const b = await backupTable(ctx, {
        table: pair.source,
        description: source.description,
        schema: source.schema,
        dir: backupFolder(settings, pair.source),
        totalSegments: settings.scanSegments,
        consistentRead: true,
        region: settings.region
      })
      backup = b
      await writeState(b.dir, { source: pair.source, target: pair.target, phase: 'backed-up', createdTarget: false })
      await writeLiveState(b.dir, { ...state, position: tail.position() })
      if (!check.target) {
        ctx.reporter.info(`${pair.target}: creating it with the schema of ${pair.source}`)
        await createTableFromSchema(ctx, pair.target, { ...b.manifest.table.schema, createTable: { ...b.manifest.table.schema.createTable, TableName: pair.target } }, warnings)
      } else {
        await waitForActive(ctx, pair.target)
      }
      await writeState(b.dir, { source: pair.source, target: pair.target, phase: 'target-ready', createdTarget: !check.target })
      const copy = await copyBackup(ctx, b, { target: pair.target, writeConcurrency: settings.writeConcurrency, maxWriteRate: settings.maxWriteRate })
      const verify = await verifyAgainstBackup(ctx, b, { target: pair.target, segments: settings.scanSegments, allowExtraItems: settings.allowNonEmptyTarget, consistentRead: true })
      await writeState(b.dir, { source: pair.source, target: pair.target, phase: verify.verified ? 'verified' : 'mismatch', createdTarget: !check.target })
      return { copy, verify }
    }, options.pinIntervalMs)
    if (!backup) throw new Error('no backup')
    if (!copied.verify.verified) {
      return {
        ...resultFrom(pair, 'migrate', state, backup, started, { warnings }),
        status: 'mismatch',
        error: { code: 'VERIFY_MISMATCH', message: `${pair.target} does not match the backup of ${pair.source} after the copy; the stream was not replayed` },
        expected: copied.verify.expected,
        actual: copied.verify.actual,
        diff: copied.verify.diff
      }
    }
    state.copyVerified = true
    state.position = tail.position()
    const dir = backup.dir
    await writeLiveState(dir, state)

    stats = await runSync(ctx, tail, pair, backup, settings, live, state, touched, options.now)
    state.check = await liveCheck(ctx, pair, backup, touched, settings)
    if (!state.check.passed) state.check.writesRunning = await writesRunning(ctx, tail, pair, backup, settings, live, state, touched)
    state.check.lagSeconds = stats.finalLagSeconds
    await writeLiveState(dir, state)
    await writeTouched(dir, touched)
    return resultFrom(pair, 'migrate', state, backup, started, {
      itemsWritten: copied.copy.written + stats.writes,
      itemsPerSecond: copied.copy.durationMs > 0 ? Math.round((copied.copy.written / copied.copy.durationMs) * 1000) : undefined,
      warnings,
      live: summary(state, stats, stats.stoppedBecause)
    })
  } finally {
    // Upload the backup with its stream position whatever happened: the catch-up job continues from it.
    if (backup) {
      await writeLiveState(backup.dir, { ...state, position: tail.position() }).catch(() => undefined)
      await writeTouched(backup.dir, touched).catch(() => undefined)
      await options.onBackup?.(backup)
    }
  }
}

/** The stream sync, persisting the position as it goes. */
async function runSync(ctx: EngineContext, tail: StreamTail, pair: MigrationPair, backup: LoadedBackup, settings: EngineSettings, live: LiveSettings, state: LiveState, touched: Touched, now?: () => number): Promise<SyncStats> {
  const base = { recordsApplied: state.recordsApplied, inSyncSeconds: state.inSyncSeconds, peak: state.peakLagSeconds }
  const stats = await syncStream(ctx, tail, {
    label: `${pair.source} -> ${pair.target}`,
    target: pair.target,
    keyNames: keyAttributes(backup.manifest.table.schema.createTable),
    live,
    writeConcurrency: settings.writeConcurrency,
    touched,
    now,
    save: async () => {
      state.position = tail.position()
      await writeLiveState(backup.dir, state)
      await writeTouched(backup.dir, touched)
    }
  })
  state.recordsApplied = base.recordsApplied + stats.recordsApplied
  state.inSyncSeconds = base.inSyncSeconds + stats.inSyncSeconds
  state.peakLagSeconds = Math.max(base.peak, stats.peakLagSeconds)
  state.position = tail.position()
  return stats
}

/** After a failed check: is the source still being written? One more pass over the stream says (and applies what it finds). */
async function writesRunning(ctx: EngineContext, tail: StreamTail, pair: MigrationPair, backup: LoadedBackup, settings: EngineSettings, live: LiveSettings, state: LiveState, touched: Touched): Promise<boolean> {
  const pages = await tail.fetch()
  const records = pages.flatMap((p) => p.records)
  if (records.length) {
    const changes = coalesce(records, keyAttributes(backup.manifest.table.schema.createTable))
    await writeChanges(ctx, pair.target, changes, settings.writeConcurrency)
    for (const c of changes) touched.set(c.key, c.hash)
    state.recordsApplied += records.length
  }
  tail.commit(pages)
  void live
  return records.length > 0
}

async function resumeLive(
  ctx: EngineContext,
  pair: MigrationPair,
  settings: EngineSettings,
  live: LiveSettings,
  backup: LoadedBackup,
  api: StreamsApi,
  started: number,
  options: LiveOptions
): Promise<MigrationResult> {
  const state = await readLiveState(backup.dir)
  if (!state) {
    throw new MigrationError('BACKUP_INVALID', `The backup at ${backup.dir} was not taken by a live migration (no ${LIVE_STATE_FILE}): run live migrate without the backup input to start one.`)
  }
  if (state.source !== pair.source || state.target !== pair.target) {
    throw new MigrationError('BACKUP_MISMATCH', `The live state at ${backup.dir} is of ${state.source} -> ${state.target}, not ${pair.source} -> ${pair.target}`)
  }
  if (!state.copyVerified) {
    throw new MigrationError('BACKUP_INVALID', `The live migration recorded at ${backup.dir} never finished its verified copy; its stream position cannot be continued. Start a new live migration into an empty target.`)
  }
  const source = await describeTable(ctx, pair.source)
  if (!source) throw new MigrationError('SOURCE_MISSING', `Source table ${pair.source} does not exist`)
  if (!(await describeTable(ctx, pair.target))) throw new MigrationError('TARGET_MISSING', `Target table ${pair.target} does not exist: the live copy recorded at ${backup.dir} went into it`)
  if (source.LatestStreamArn !== state.streamArn || !source.StreamSpecification?.StreamEnabled) {
    throw new MigrationError('STREAM_TRIMMED', `The stream recorded at ${backup.dir} (${state.streamArn}) is no longer ${pair.source}'s active stream: changes since may be missing. Start a new live migration into an empty target.`)
  }
  const tail = new StreamTail(api, state.streamArn, { table: pair.source, now: options.now }, state.position)
  const reread = tail.forgetIterators()
  ctx.reporter.info(`live ${pair.source} -> ${pair.target}: continuing from the stream position of ${backup.dir} (${state.recordsApplied} records applied so far${reread ? `; ${reread} shard(s) without a record since the position are re-read from TRIM_HORIZON` : ''})`)
  const touched = await readTouched(backup.dir)
  state.check = undefined
  const stats = await runSync(ctx, tail, pair, backup, settings, live, state, touched, options.now)
  state.check = await liveCheck(ctx, pair, backup, touched, settings)
  if (!state.check.passed) state.check.writesRunning = await writesRunning(ctx, tail, pair, backup, settings, live, state, touched)
  state.check.lagSeconds = stats.finalLagSeconds
  state.position = tail.position()
  await writeLiveState(backup.dir, state)
  await writeTouched(backup.dir, touched)
  return resultFrom(pair, 'migrate', state, backup, started, { itemsWritten: stats.writes, live: summary(state, stats, stats.stoppedBecause) })
}

/** `verify` of a live migration's backup: the final check only (no replay), recorded for `delete`. */
export async function liveVerifyPair(ctx: EngineContext, pair: MigrationPair, backup: LoadedBackup, state: LiveState, settings: EngineSettings): Promise<MigrationResult> {
  const started = Date.now()
  const touched = await readTouched(backup.dir)
  state.check = await liveCheck(ctx, pair, backup, touched, settings)
  await writeLiveState(backup.dir, state)
  return resultFrom(pair, 'verify', state, backup, started, { live: summary(state, {}, 'check-only') })
}

/**
 * `delete` after a live migration. The maintenance-window rule (target equals the backup,
 * source unchanged since it) cannot hold here: the source changed during the copy, and after
 * cut-over the application writes to the target. The rule instead: a final check has passed
 * (nothing written to the source is missing from the target), and the source is still exactly
 * what that check saw, re-scanned right before the delete.
 */
export async function liveDeletePair(ctx: EngineContext, pair: MigrationPair, backup: LoadedBackup, state: LiveState, settings: EngineSettings): Promise<MigrationResult> {
  const started = Date.now()
  const refuse = refuser(pair)
  assertConfirmed(pair, settings)
  if (state.source !== pair.source || state.target !== pair.target) refuse(`the live state at ${backup.dir} is of ${state.source} -> ${state.target}`)
  const check = state.check
  if (!check?.passed) {
    refuse(
      `no equal check of this live migration has passed${check ? ` (the last one, at ${check.at}, found ${check.differingKeys ?? '?'} differing keys${check.writesRunning ? ' while writes were still running' : ''})` : ''}. Stop writes to ${pair.source} (move the application to ${pair.target}), run migrate with live: true and this backup until it reports verified, then delete. Nothing was deleted.`
    )
  }
  const description = await assertDeletable(ctx, pair, settings)
  const current = (await scanDigest(ctx, pair.source, { segments: settings.scanSegments, consistentRead: true, phase: 'count' })).toJSON()
  if (!check || !same(current, check.source)) {
    refuse(
      `it changed since the equal check at ${check?.at} (${current.count} items now, ${check?.source.count} then): those writes are not in ${pair.target}. Run migrate with live: true and this backup again to replay them, then delete. Nothing was deleted.`
    )
  }
  const warnings = await dropSourceTable(ctx, pair.source, description, settings)
  ctx.reporter.info(`${pair.source}: deleted (unchanged since the live check at ${check?.at} that found it equal to what ${pair.target} received)`)
  return {
    source: pair.source,
    target: pair.target,
    mode: 'delete',
    status: 'deleted',
    itemsVerified: current.count,
    expected: check?.source,
    actual: current,
    durationMs: Date.now() - started,
    warnings,
    live: summary(state, {}, 'check-only')
  }
}

