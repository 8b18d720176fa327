// A local stand-in for the GitHub Actions artifact service (v4 backend, as @actions/artifact 6
// speaks it), on 127.0.0.1 port 0:
// - Twirp JSON at /twirp/github.actions.results.api.v1.ArtifactService/{CreateArtifact,
//   FinalizeArtifact, ListArtifacts, GetSignedArtifactURL}, authorised by the runtime JWT whose
//   `scp` carries `Actions.Results:<runBackendId>:<jobBackendId>`;
// - a blob store speaking the Azure Blob block protocol (PUT ?comp=block, PUT ?comp=blocklist,
//   GET) behind signed URLs (`sig` checked);
// - the public REST endpoints another run's artifacts are found and downloaded through
//   (GET /repos/{o}/{r}/actions/runs/{run_id}/artifacts, GET /repos/{o}/{r}/actions/artifacts/{id}/zip → 302).
import { json, startStandIn, type RecordedRequest, type Reply, type StandIn } from './http-stand-in.js'

const TWIRP = /^\/twirp\/github\.actions\.results\.api\.v1\.ArtifactService\/(\w+)$/
const BLOB = /^\/devstoreaccount1\/actions-results\/(\d+)\.zip$/
const SIG = 'stand-in-signature'

export interface StoredArtifact {
  id: number
  name: string
  runBackendId: string
  jobBackendId: string
  /** The public (numeric) run id the REST API knows the run by. */
  runId: number
  mimeType?: string
  expiresAt?: string
  version?: number
  /** Staged blocks by id, then the committed bytes. */
  blocks: Map<string, Buffer>
  bytes?: Buffer
  size?: number
  digest?: string
  finalized: boolean
  createdAt: Date
}

export interface ArtifactServiceStandIn extends StandIn {
  artifacts: StoredArtifact[]
  /** The Twirp calls with their parsed JSON bodies, in order. */
  twirpCalls(): Array<{ method: string; body: Record<string, unknown> }>
  /** A runtime token as the runner hands it out (unsigned JWT: the client only decodes it). */
  runtimeToken(runBackendId: string, jobBackendId: string): string
  /** Tells the REST side which public run id a backend run id has. */
  registerRun(runBackendId: string, runId: number): void
}

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')

export async function startArtifactService(): Promise<ArtifactServiceStandIn> {
  const artifacts: StoredArtifact[] = []
  const runs = new Map<string, number>()
  let nextId = 1000

  const scopeOf = (req: RecordedRequest): { run: string; job: string } | undefined => {
    const token = /^Bearer (.+)$/.exec(String(req.headers.authorization ?? ''))?.[1]
    const payload = token?.split('.')[1]
    if (!payload) return undefined
    const scp = String((JSON.parse(Buffer.from(payload, 'base64url').toString()) as { scp?: string }).scp ?? '')
    const results = scp.split(' ').find((s) => s.startsWith('Actions.Results:'))?.split(':')
    return results && results.length === 3 ? { run: results[1]!, job: results[2]! } : undefined
  }
  const signedUrl = (origin: string, a: StoredArtifact) => `${origin}/devstoreaccount1/actions-results/${a.id}.zip?sv=2023-11-03&se=2099-01-01T00%3A00%3A00Z&sp=rcw&sig=${SIG}`
  const twirpError = (status: number, code: string, msg: string) => json(status, { code, msg })
  const monolith = (a: StoredArtifact) => ({
    workflow_run_backend_id: a.runBackendId,
    workflow_job_run_backend_id: a.jobBackendId,
    database_id: String(a.id),
    name: a.name,
    size: String(a.size ?? 0),
    created_at: a.createdAt.toISOString(),
    ...(a.digest ? { digest: a.digest } : {})
  })
  const rest = (a: StoredArtifact, origin: string) => ({
    id: a.id,
    node_id: `MDg6QXJ0aWZhY3Qx${a.id}`,
    name: a.name,
    size_in_bytes: a.size ?? 0,
    url: `${origin}/repos/o/r/actions/artifacts/${a.id}`,
    archive_download_url: `${origin}/repos/o/r/actions/artifacts/${a.id}/zip`,
    expired: false,
    digest: a.digest ?? null,
    created_at: a.createdAt.toISOString(),
    workflow_run: { id: a.runId }
  })

  const twirp = (req: RecordedRequest, [method]: string[], origin: string): Reply => {
    const scope = scopeOf(req)
    if (!scope) return twirpError(401, 'unauthenticated', 'missing or invalid runtime token')
    if (!String(req.headers['content-type']).startsWith('application/json')) return twirpError(415, 'malformed', 'stand-in speaks Twirp JSON only')
    const body = JSON.parse(req.body.toString() || '{}') as Record<string, unknown>
    const run = body.workflow_run_backend_id
    if (run !== scope.run) return twirpError(403, 'permission_denied', `token is for run ${scope.run}, request names ${String(run)}`)
    const inRun = artifacts.filter((a) => a.runBackendId === run)
    switch (method) {
      case 'CreateArtifact': {
        const name = String(body.name ?? '')
        if (!name) return twirpError(400, 'invalid_argument', 'name is required')
        if (inRun.some((a) => a.name === name && a.finalized)) return twirpError(409, 'already_exists', `an artifact named ${name} already exists in this run`)
        const artifact: StoredArtifact = {
          id: nextId++,
          name,
          runBackendId: scope.run,
          jobBackendId: String(body.workflow_job_run_backend_id),
          runId: runs.get(scope.run) ?? 0,
          mimeType: body.mime_type as string | undefined,
          expiresAt: body.expires_at as string | undefined,
          version: body.version as number | undefined,
          blocks: new Map(),
          finalized: false,
          createdAt: new Date()
        }
        artifacts.push(artifact)
        return json(200, { ok: true, signed_upload_url: signedUrl(origin, artifact) })
      }
      case 'FinalizeArtifact': {
        const artifact = inRun.find((a) => a.name === body.name && !a.finalized)
        if (!artifact?.bytes) return twirpError(404, 'not_found', `no uploaded artifact named ${String(body.name)}`)
        if (String(body.size) !== String(artifact.bytes.length)) return twirpError(400, 'invalid_argument', `size ${String(body.size)} != uploaded ${artifact.bytes.length}`)
        artifact.size = artifact.bytes.length
        artifact.digest = body.hash as string | undefined
        artifact.finalized = true
        return json(200, { ok: true, artifact_id: String(artifact.id) })
      }
      case 'ListArtifacts': {
        const nameFilter = body.name_filter as string | undefined
        const idFilter = body.id_filter as string | undefined
        const found = inRun.filter((a) => a.finalized && (nameFilter === undefined || a.name === nameFilter) && (idFilter === undefined || String(a.id) === String(idFilter)))
        return json(200, { artifacts: found.map(monolith) })
      }
      case 'GetSignedArtifactURL': {
        const artifact = inRun.find((a) => a.name === body.name && a.finalized)
        if (!artifact) return twirpError(404, 'not_found', `no artifact named ${String(body.name)}`)
        return json(200, { signed_url: signedUrl(origin, artifact) })
      }
      default:
        return twirpError(404, 'bad_route', `no method ${method}`)
    }
  }

  const blobArtifact = (req: RecordedRequest, id: string | undefined) => (req.query.get('sig') === SIG ? artifacts.find((a) => String(a.id) === id) : undefined)
  const azureError = (status: number, code: string) => ({ status, headers: { 'content-type': 'application/xml', 'x-ms-error-code': code }, body: Buffer.from(`<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>${code}</Message></Error>`) })
  const blobPut = (req: RecordedRequest, [id]: string[]): Reply => {
    const artifact = blobArtifact(req, id)
    if (!artifact) return azureError(403, 'AuthenticationFailed')
    const ok = { status: 201, headers: { etag: `"0x${artifact.id}"`, 'last-modified': new Date().toUTCString(), 'x-ms-request-id': String(req.headers['x-ms-client-request-id'] ?? ''), 'x-ms-version': '2023-11-03' } }
    if (req.query.get('comp') === 'block') {
      artifact.blocks.set(req.query.get('blockid') ?? '', req.body)
      return ok
    }
    if (req.query.get('comp') === 'blocklist') {
      const ids = [...req.body.toString().matchAll(/<(?:Latest|Uncommitted|Committed)>([^<]*)<\//g)].map((m) => m[1]!)
      if (ids.some((b) => !artifact.blocks.has(b))) return azureError(400, 'InvalidBlockList')
      artifact.bytes = Buffer.concat(ids.map((b) => artifact.blocks.get(b)!))
      artifact.blocks.clear()
      return ok
    }
    artifact.bytes = req.body
    return ok
  }
  const blobGet = (req: RecordedRequest, [id]: string[]): Reply => {
    const artifact = blobArtifact(req, id)
    if (!artifact?.bytes) return azureError(404, 'BlobNotFound')
    return { status: 200, headers: { 'content-type': 'application/zip', 'content-disposition': `attachment; filename=${artifact.name}.zip` }, body: artifact.bytes }
  }

  const publicArtifact = (req: RecordedRequest) => String(req.headers.authorization ?? '').startsWith('token ')
  const restList = (req: RecordedRequest, [, , runId]: string[], origin: string): Reply => {
    if (!publicArtifact(req)) return json(401, { message: 'Requires authentication' })
    const name = req.query.get('name')
    const found = artifacts.filter((a) => a.finalized && String(a.runId) === runId && (name === null || a.name === name))
    return json(200, { total_count: found.length, artifacts: found.map((a) => rest(a, origin)) })
  }
  const restZip = (req: RecordedRequest, [, , id]: string[], origin: string): Reply => {
    if (!publicArtifact(req)) return json(401, { message: 'Requires authentication' })
    const artifact = artifacts.find((a) => a.finalized && String(a.id) === id)
    if (!artifact) return json(404, { message: 'Not Found' })
    return { status: 302, headers: { location: signedUrl(origin, artifact) } }
  }

  const standIn = await startStandIn([
    ['POST', TWIRP, twirp],
    ['PUT', BLOB, blobPut],
    ['GET', BLOB, blobGet],
    ['GET', /^\/repos\/([^/]+)\/([^/]+)\/actions\/runs\/(\d+)\/artifacts$/, restList],
    ['GET', /^\/repos\/([^/]+)\/([^/]+)\/actions\/artifacts\/(\d+)\/zip$/, restZip]
  ])
  return {
    ...standIn,
    artifacts,
    twirpCalls: () =>
      standIn.requests
        .filter((r) => TWIRP.test(r.path))
        .map((r) => ({ method: TWIRP.exec(r.path)![1]!, body: JSON.parse(r.body.toString() || '{}') as Record<string, unknown> })),
    runtimeToken: (run, job) => `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url({ scp: `Actions.ExampleScope Actions.Results:${run}:${job}`, iat: 0 })}.c2lnbmF0dXJl`,
    registerRun: (run, runId) => {
      runs.set(run, runId)
      for (const a of artifacts) if (a.runBackendId === run) a.runId = runId
    }
  }
}
