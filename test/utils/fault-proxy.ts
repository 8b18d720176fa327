/**
 * A fault-injecting HTTP proxy for the DynamoDB JSON protocol, on 127.0.0.1, in front of a
 * local DynamoDB server (dynalite, DynamoDB Local). The real SDK talks to it as it would to
 * DynamoDB, so every fault reaches the engine exactly as a real one would: as a parsed service
 * error, as UnprocessedItems, as a short Scan page, as a socket error or as a client timeout.
 *
 * Rules are tried in order for every request; the first one that applies and fires decides.
 * Whether a rule fires (and which items a partial batch keeps, how short a page is) is drawn
 * from mulberry32 seeded by (rule seed, operation, request body, how many times that body was
 * seen before): a schedule does not depend on the order in which concurrent requests arrive,
 * so a seed reproduces the same faults on the same requests, run after run.
 */
import { createHash, randomBytes } from 'node:crypto'
import http from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { crc32 } from 'node:zlib'
import { mulberry32 } from './prng.js'

export type FaultKind =
  | 'throttle'
  | 'throughput'
  | 'request-limit'
  | 'internal-500'
  | 'unavailable-503'
  | 'partial-batch'
  | 'short-page'
  | 'reset-before'
  | 'reset-after'
  | 'delay'

export const FAULT_KINDS: readonly FaultKind[] = [
  'throttle',
  'throughput',
  'request-limit',
  'internal-500',
  'unavailable-503',
  'partial-batch',
  'short-page',
  'reset-before',
  'reset-after',
  'delay'
]

/** The operation, as named in X-Amz-Target after `DynamoDB_20120810.`. */
export type DynamoOperation =
  | 'BatchWriteItem'
  | 'Scan'
  | 'Query'
  | 'DescribeTable'
  | 'CreateTable'
  | 'DeleteTable'
  | 'PutItem'
  | 'DeleteItem'
  | 'UpdateItem'
  | 'GetItem'
  | 'BatchGetItem'
  | 'DescribeTimeToLive'
  | 'DescribeContinuousBackups'
  | 'ListTagsOfResource'
  | (string & {})

export interface FaultRule {
  /** Only requests for this operation (or these); every operation the kind applies to when absent. */
  target?: DynamoOperation | DynamoOperation[]
  /** Only requests naming this table (TableName, or a RequestItems key). */
  table?: string
  kind: FaultKind
  /** Chance that an applicable request gets the fault, 0..1. Ignored with `always`. */
  probability?: number
  /** Fault every applicable request: faults that never stop. */
  always?: boolean
  /** Seed of this rule's schedule (default: the proxy's seed). */
  seed?: number
  /** Stop after this many faults of this rule. */
  maxFaults?: number
  /** Let the first `after` requests this rule applies to through untouched (in arrival order). */
  after?: number
  /** `delay`: how long to hold the answer, in ms (default: the proxy's delayMs). */
  delayMs?: number
  /** `short-page`: the largest Limit a shortened Scan gets (default 10); the Limit drawn is 1..shortLimit. */
  shortLimit?: number
}

export interface FaultProxyOptions {
  /** The real server, e.g. http://127.0.0.1:8000. */
  upstream: string
  rules?: FaultRule[]
  /** Default seed of rules without their own. */
  seed?: number
  /** Default hold time of `delay` faults; set it above the client's requestTimeoutMs. */
  delayMs?: number
}

export interface FaultStats {
  /** Requests received, per operation. */
  requests: Record<string, number>
  /** Requests that reached the upstream server (including reset-after and delay ones). */
  forwarded: number
  /** Faults injected, per kind. */
  faults: Record<FaultKind, number>
  /** Faults injected, per operation and kind, e.g. `BatchWriteItem:throttle`. */
  faultsByOperation: Record<string, number>
  /** Write requests a partial-batch fault held back and returned as UnprocessedItems. */
  unprocessedItems: number
  /** Scan pages whose Limit was lowered. */
  shortenedScans: number
  /** Delayed answers the client had given up on (closed its connection) before they were ready. */
  abandoned: number
}

/** Answers as DynamoDB gives them (status, __type), so the SDK classifies them as it would. */
const ERRORS: Record<'throttle' | 'throughput' | 'request-limit' | 'internal-500' | 'unavailable-503', { status: number; type: string; message: string }> = {
  throughput: {
    status: 400,
    type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
    message: 'The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.'
  },
  throttle: { status: 400, type: 'com.amazon.coral.availability#ThrottlingException', message: 'Rate of requests exceeds the allowed throughput.' },
  'request-limit': {
    status: 400,
    type: 'com.amazonaws.dynamodb.v20120810#RequestLimitExceeded',
    message: 'Throughput exceeds the current throughput limit for your account. Please contact AWS Support at https://aws.amazon.com/support request a limit increase'
  },
  'internal-500': { status: 500, type: 'com.amazonaws.dynamodb.v20120810#InternalServerError', message: 'Internal server error' },
  'unavailable-503': { status: 503, type: 'com.amazonaws.dynamodb.v20120810#ServiceUnavailable', message: 'The service is currently unavailable or busy.' }
}

export { mulberry32 } from './prng.js'

function hash32(text: string): number {
  return createHash('sha256').update(text).digest().readUInt32BE(0)
}

const OPERATION_PREFIX = 'DynamoDB_20120810.'

/** Kinds that only make sense for one kind of request. */
function kindApplies(kind: FaultKind, operation: string): boolean {
  if (kind === 'partial-batch') return operation === 'BatchWriteItem'
  if (kind === 'short-page') return operation === 'Scan' || operation === 'Query'
  return true
}

function tablesOf(body: Record<string, unknown> | undefined): string[] {
  if (!body) return []
  const names: string[] = []
  if (typeof body.TableName === 'string') names.push(body.TableName)
  if (body.RequestItems && typeof body.RequestItems === 'object') names.push(...Object.keys(body.RequestItems))
  return names
}

interface Upstream {
  status: number
  headers: http.IncomingHttpHeaders
  body: Buffer
}

type Decision = { rule: FaultRule; random: () => number } | undefined

export class FaultProxy {
  private rules: FaultRule[]
  private readonly seen = new Map<string, number>()
  private readonly fired = new Map<FaultRule, number>()
  private readonly applicable = new Map<FaultRule, number>()
  private readonly sockets = new Set<Socket>()
  private readonly timers = new Set<NodeJS.Timeout>()
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 64 })
  private readonly upstream: URL
  stats: FaultStats = FaultProxy.emptyStats()

  private constructor(
    private readonly server: http.Server,
    private readonly options: FaultProxyOptions
  ) {
    this.rules = options.rules ?? []
    this.upstream = new URL(options.upstream)
  }

  static async start(options: FaultProxyOptions): Promise<FaultProxy> {
    const server = http.createServer()
    const proxy = new FaultProxy(server, options)
    server.on('request', (req, res) => {
      proxy.handle(req, res).catch((error) => {
        // A proxy bug must not look like a DynamoDB answer: answer 502 and say why.
        if (!res.headersSent && !res.destroyed) {
          res.statusCode = 502
          res.end(`fault proxy error: ${String(error)}`)
        }
      })
    })
    server.on('connection', (socket) => {
      proxy.sockets.add(socket)
      socket.on('close', () => proxy.sockets.delete(socket))
    })
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(0, '127.0.0.1', () => resolve())
    })
    return proxy
  }

  static emptyStats(): FaultStats {
    return {
      requests: {},
      forwarded: 0,
      faults: Object.fromEntries(FAULT_KINDS.map((k) => [k, 0])) as Record<FaultKind, number>,
      faultsByOperation: {},
      unprocessedItems: 0,
      shortenedScans: 0,
      abandoned: 0
    }
  }

  get endpoint(): string {
    const { port } = this.server.address() as AddressInfo
    return `http://127.0.0.1:${port}`
  }

  /** Replaces the rules; the schedule (seen bodies) and the stats carry on. */
  setRules(rules: FaultRule[]): void {
    this.rules = rules
    this.fired.clear()
    this.applicable.clear()
  }

  /** Zeroes the stats and forgets the bodies seen, so the next schedule starts afresh. */
  reset(rules: FaultRule[] = this.rules): void {
    this.setRules(rules)
    this.seen.clear()
    this.stats = FaultProxy.emptyStats()
  }

  /** Faults injected in total (every kind). */
  get totalFaults(): number {
    return Object.values(this.stats.faults).reduce((a, b) => a + b, 0)
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearTimeout(t)
    for (const s of this.sockets) s.destroy()
    this.agent.destroy()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }

  private decide(operation: string, rawBody: string, body: Record<string, unknown> | undefined): Decision {
    const contentKey = `${operation}\n${rawBody}`
    const digest = createHash('sha256').update(contentKey).digest('hex')
    const occurrence = this.seen.get(digest) ?? 0
    this.seen.set(digest, occurrence + 1)
    const tables = tablesOf(body)
    for (const [index, rule] of this.rules.entries()) {
      const targets = rule.target === undefined ? undefined : Array.isArray(rule.target) ? rule.target : [rule.target]
      if (targets && !targets.includes(operation)) continue
      if (!kindApplies(rule.kind, operation)) continue
      if (rule.table !== undefined && !tables.includes(rule.table)) continue
      if (rule.maxFaults !== undefined && (this.fired.get(rule) ?? 0) >= rule.maxFaults) continue
      const seenByRule = this.applicable.get(rule) ?? 0
      this.applicable.set(rule, seenByRule + 1)
      if (rule.after !== undefined && seenByRule < rule.after) continue
      const random = mulberry32(hash32(`${rule.seed ?? this.options.seed ?? 1}|${index}|${digest}|${occurrence}`))
      if (rule.always || random() < (rule.probability ?? 0)) return { rule, random }
    }
    return undefined
  }

  private count(kind: FaultKind, operation: string): void {
    this.stats.faults[kind]++
    const key = `${operation}:${kind}`
    this.stats.faultsByOperation[key] = (this.stats.faultsByOperation[key] ?? 0) + 1
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    res.on('error', () => undefined)
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const raw = Buffer.concat(chunks)
    const targetHeader = String(req.headers['x-amz-target'] ?? '')
    const operation = targetHeader.startsWith(OPERATION_PREFIX) ? targetHeader.slice(OPERATION_PREFIX.length) : targetHeader || '(none)'
    this.stats.requests[operation] = (this.stats.requests[operation] ?? 0) + 1
    let body: Record<string, unknown> | undefined
    try {
      body = raw.length ? (JSON.parse(raw.toString('utf8')) as Record<string, unknown>) : undefined
    } catch {
      body = undefined
    }

    const decision = this.decide(operation, raw.toString('utf8'), body)
    const kind = decision?.rule.kind
    if (!decision || !kind) return this.pass(res, await this.forward(req, raw))
    const random = decision.random
    const fire = () => {
      this.fired.set(decision.rule, (this.fired.get(decision.rule) ?? 0) + 1)
      this.count(kind, operation)
    }

    switch (kind) {
      case 'throttle':
      case 'throughput':
      case 'request-limit':
      case 'internal-500':
      case 'unavailable-503': {
        fire()
        const e = ERRORS[kind]
        return this.answer(res, e.status, JSON.stringify({ __type: e.type, message: e.message }))
      }
      case 'reset-before': {
        fire()
        req.socket.destroy()
        return
      }
      case 'reset-after': {
        await this.forward(req, raw)
        fire()
        req.socket.destroy()
        return
      }
      case 'delay': {
        const upstream = await this.forward(req, raw)
        fire()
        // A client with a shorter timeout gives up and closes its connection while we wait.
        let answered = false
        res.once('close', () => {
          if (!answered) this.stats.abandoned++
        })
        const ms = decision.rule.delayMs ?? this.options.delayMs ?? 1500
        await new Promise<void>((resolve) => {
          const timer = setTimeout(() => {
            this.timers.delete(timer)
            resolve()
          }, ms)
          this.timers.add(timer)
        })
        if (res.destroyed || req.socket.destroyed) return
        answered = true
        return this.pass(res, upstream)
      }
      case 'short-page': {
        if (!body) return this.pass(res, await this.forward(req, raw))
        const most = Math.max(1, decision.rule.shortLimit ?? 10)
        const limit = 1 + Math.floor(random() * most)
        const asked = typeof body.Limit === 'number' ? body.Limit : Infinity
        if (limit >= asked) return this.pass(res, await this.forward(req, raw))
        fire()
        this.stats.shortenedScans++
        return this.pass(res, await this.forward(req, Buffer.from(JSON.stringify({ ...body, Limit: limit }))))
      }
      case 'partial-batch':
        return this.partialBatch(req, res, raw, body, random, fire)
    }
  }

  /**
   * Forwards a random, non-empty, proper subset of a BatchWriteItem and returns the rest as
   * UnprocessedItems, merged with any the server returned itself, as DynamoDB does when a
   * partition is throttled. (DynamoDB answers ProvisionedThroughputExceededException when
   * it can process none, so at least one request always goes through.)
   */
  private async partialBatch(req: http.IncomingMessage, res: http.ServerResponse, raw: Buffer, body: Record<string, unknown> | undefined, random: () => number, fire: () => void): Promise<void> {
    const requestItems = body?.RequestItems as Record<string, unknown[]> | undefined
    const entries: Array<{ table: string; request: unknown }> = []
    for (const [table, requests] of Object.entries(requestItems ?? {})) for (const request of requests) entries.push({ table, request })
    if (!body || entries.length < 2) return this.pass(res, await this.forward(req, raw))

    const keep = 1 + Math.floor(random() * (entries.length - 1))
    const order = entries.map((_, i) => i)
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1))
      ;[order[i], order[j]] = [order[j] as number, order[i] as number]
    }
    const kept = new Set(order.slice(0, keep))
    const forwarded: Record<string, unknown[]> = {}
    const withheld: Record<string, unknown[]> = {}
    entries.forEach((e, i) => ((kept.has(i) ? forwarded : withheld)[e.table] ??= []).push(e.request))

    const upstream = await this.forward(req, Buffer.from(JSON.stringify({ ...body, RequestItems: forwarded })))
    if (upstream.status !== 200) return this.pass(res, upstream)
    const answer = JSON.parse(upstream.body.toString('utf8')) as { UnprocessedItems?: Record<string, unknown[]> }
    const unprocessed = answer.UnprocessedItems ?? {}
    for (const [table, requests] of Object.entries(withheld)) (unprocessed[table] ??= []).push(...requests)
    fire()
    this.stats.unprocessedItems += entries.length - keep
    return this.answer(res, 200, JSON.stringify({ ...answer, UnprocessedItems: unprocessed }), upstream.headers)
  }

  private forward(req: http.IncomingMessage, body: Buffer): Promise<Upstream> {
    const headers: http.OutgoingHttpHeaders = {}
    for (const [name, value] of Object.entries(req.headers)) {
      if (['host', 'connection', 'content-length', 'transfer-encoding', 'keep-alive'].includes(name)) continue
      headers[name] = value
    }
    headers['content-length'] = body.length
    headers.host = this.upstream.host
    this.stats.forwarded++
    return new Promise<Upstream>((resolve, reject) => {
      const out = http.request(
        { host: this.upstream.hostname, port: this.upstream.port, path: req.url ?? '/', method: req.method ?? 'POST', headers, agent: this.agent },
        (answer) => {
          const chunks: Buffer[] = []
          answer.on('data', (c: Buffer) => chunks.push(c))
          answer.on('end', () => resolve({ status: answer.statusCode ?? 502, headers: answer.headers, body: Buffer.concat(chunks) }))
          answer.on('error', reject)
        }
      )
      out.on('error', reject)
      out.end(body)
    })
  }

  /** Relays an upstream answer unchanged. */
  private pass(res: http.ServerResponse, upstream: Upstream): void {
    if (res.destroyed) return
    res.statusCode = upstream.status
    for (const [name, value] of Object.entries(upstream.headers)) {
      if (value === undefined || ['connection', 'keep-alive', 'transfer-encoding'].includes(name)) continue
      res.setHeader(name, value)
    }
    res.end(upstream.body)
  }

  /** Answers with a body of the proxy's own, with DynamoDB's headers (request id, CRC32 of the body). */
  private answer(res: http.ServerResponse, status: number, body: string, base: http.IncomingHttpHeaders = {}): void {
    if (res.destroyed) return
    res.statusCode = status
    if (base.date) res.setHeader('date', base.date)
    res.setHeader('x-amzn-RequestId', typeof base['x-amzn-requestid'] === 'string' ? base['x-amzn-requestid'] : randomBytes(39).toString('base64').toUpperCase().replace(/[+/=]/g, '0').slice(0, 52))
    res.setHeader('x-amz-crc32', String(crc32(body) >>> 0))
    res.setHeader('Content-Type', 'application/x-amz-json-1.0')
    res.setHeader('Content-Length', Buffer.byteLength(body))
    res.end(body)
  }
}
