// The real @actions/artifact client against a local stand-in of the artifact service
// (Twirp JSON + Azure block blobs + the public REST endpoints for other runs).
import { createHash, randomBytes } from 'node:crypto'
import { promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { gzipSync } from 'node:zlib'
import { startArtifactService, type ArtifactServiceStandIn } from './artifact-service.js'

type ArtifactModule = typeof import('../../src/github/artifact.js')

const RUN_A = '11111111-1111-4111-8111-111111111111'
const RUN_B = '22222222-2222-4222-8222-222222222222'
const JOB = '33333333-3333-4333-8333-333333333333'

let service: ArtifactServiceStandIn
let mod: ArtifactModule
let work: string
const saved = { ...process.env }

async function makeBackup(dir: string): Promise<void> {
  await fs.mkdir(path.join(dir, 'data', 'extra'), { recursive: true })
  await fs.writeFile(path.join(dir, 'manifest.json'), JSON.stringify({ format: 'dynamodb-table-migrate/backup@1', itemCount: 3 }, null, 2))
  const lines = (n: number) => Array.from({ length: n }, (_, i) => JSON.stringify({ Item: { pk: { S: `k${i}` }, n: { N: '12345678901234567890123' } } })).join('\n') + '\n'
  await fs.writeFile(path.join(dir, 'data', 'segment-0.json.gz'), gzipSync(lines(500)))
  await fs.writeFile(path.join(dir, 'data', 'segment-1.json.gz'), gzipSync(lines(3)))
  await fs.writeFile(path.join(dir, 'data', 'extra', 'random.bin'), randomBytes(64 * 1024))
}

async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {}
  for (const e of await fs.readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile()) continue
    const file = path.join(e.parentPath, e.name)
    out[path.relative(dir, file)] = createHash('sha256').update(await fs.readFile(file)).digest('hex')
  }
  return out
}

const useRun = (run: string) => {
  process.env.ACTIONS_RUNTIME_TOKEN = service.runtimeToken(run, JOB)
}

beforeAll(async () => {
  service = await startArtifactService()
  // The toolkit reads these from the environment; GITHUB_API_URL only when @actions/github is
  // first loaded, so the module under test is imported after they are set.
  process.env.ACTIONS_RESULTS_URL = `${service.origin}/`
  process.env.GITHUB_API_URL = service.origin
  delete process.env.GITHUB_SERVER_URL
  delete process.env.GITHUB_RETENTION_DAYS
  useRun(RUN_A)
  mod = await import('../../src/github/artifact.js')
  work = await fs.mkdtemp(path.join(os.tmpdir(), 'artifact-test-'))
})

afterAll(async () => {
  process.env = saved
  await service.close()
  await fs.rm(work, { recursive: true, force: true })
})

describe('backup artifact names', () => {
  it('names the table, the environment and the run', () => {
    expect(mod.backupArtifactName({ table: 'orders.v1', runId: 42 })).toBe('dynamodb-backup-orders.v1-42')
    expect(mod.backupArtifactName({ table: 'orders', environment: 'prod', runId: '42' })).toBe('dynamodb-backup-orders-prod-42')
    expect(mod.backupArtifactName({ table: 'orders', runId: 42, runAttempt: '1' })).toBe('dynamodb-backup-orders-42')
    expect(mod.backupArtifactName({ table: 'orders', environment: 'prod', runId: 42, runAttempt: 3 })).toBe('dynamodb-backup-orders-prod-42-3')
  })

  it('replaces characters artifact names may not hold', () => {
    expect(mod.backupArtifactName({ table: 'orders', environment: 'prod/eu west: "a|b"*?<>\\', runId: 7 })).toBe('dynamodb-backup-orders-prod-eu-west-a-b-7')
  })

  it('parses a name of this run and run-id/name of another run', () => {
    expect(mod.parseArtifactSpec('dynamodb-backup-orders-42')).toEqual({ name: 'dynamodb-backup-orders-42' })
    expect(mod.parseArtifactSpec(' 123456/dynamodb-backup-orders-42 ')).toEqual({ runId: 123456, name: 'dynamodb-backup-orders-42' })
    for (const bad of ['', 'a/b/c', 'x/name', 'na:me']) expect(() => mod.parseArtifactSpec(bad)).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }))
  })
})

describe('upload and download through the artifact service', () => {
  let source: string
  let uploaded: { name: string; id: number; size: number }

  beforeAll(async () => {
    source = path.join(work, 'backup')
    await makeBackup(source)
    service.registerRun(RUN_A, 9001)
    useRun(RUN_A)
    uploaded = await mod.uploadBackup(source, { table: 'orders', environment: 'staging', runId: 9001, retentionDays: 3 })
  })

  it('uploads the folder as one artifact and finalizes it with its size and digest', () => {
    expect(uploaded.name).toBe('dynamodb-backup-orders-staging-9001')
    const stored = service.artifacts.find((a) => a.id === uploaded.id)!
    expect(stored.finalized).toBe(true)
    expect(uploaded.size).toBe(stored.bytes!.length)
    expect(stored.bytes!.subarray(0, 4).toString('hex')).toBe('504b0304') // a zip

    const calls = service.twirpCalls()
    const create = calls.find((c) => c.method === 'CreateArtifact')!.body
    expect(create).toMatchObject({ workflow_run_backend_id: RUN_A, workflow_job_run_backend_id: JOB, name: uploaded.name, version: 7, mime_type: 'application/zip' })
    const days = (Date.parse(String(create.expires_at)) - Date.now()) / 86_400_000
    expect(days).toBeGreaterThan(2.9)
    expect(days).toBeLessThan(3.1)
    const finalize = calls.find((c) => c.method === 'FinalizeArtifact')!.body
    expect(finalize).toEqual({
      workflow_run_backend_id: RUN_A,
      workflow_job_run_backend_id: JOB,
      name: uploaded.name,
      size: String(stored.bytes!.length),
      hash: `sha256:${createHash('sha256').update(stored.bytes!).digest('hex')}`
    })
  })

  it('uploads through Azure block blob calls to the signed URL', () => {
    const blobPuts = service.requests.filter((r) => r.method === 'PUT' && r.path.startsWith('/devstoreaccount1/'))
    expect(blobPuts.map((r) => r.query.get('comp'))).toEqual(['block', 'blocklist'])
    expect(blobPuts.every((r) => r.query.get('sig') === 'stand-in-signature')).toBe(true)
  })

  it('lists the artifact in this run', async () => {
    const { DefaultArtifactClient } = await import('@actions/artifact')
    const { artifacts } = await new DefaultArtifactClient().listArtifacts()
    expect(artifacts).toEqual([expect.objectContaining({ name: uploaded.name, id: uploaded.id, size: uploaded.size })])
  })

  it('downloads an artifact of this run by name, giving back identical files', async () => {
    const dest = path.join(work, 'same-run')
    expect(await mod.downloadBackup(uploaded.name, dest)).toBe(dest)
    expect(await snapshot(dest)).toEqual(await snapshot(source))
    expect(Object.keys(await snapshot(dest)).sort()).toEqual(['data/extra/random.bin', 'data/segment-0.json.gz', 'data/segment-1.json.gz', 'manifest.json'])
  })

  it('downloads an artifact of another run as <run-id>/<name> through the REST API', async () => {
    useRun(RUN_B)
    const restBefore = service.requests.length
    const dest = path.join(work, 'other-run')
    expect(await mod.downloadBackup(`9001/${uploaded.name}`, dest, { token: 'ghs_readtoken', repo: 'octo/shop' })).toBe(dest)
    expect(await snapshot(dest)).toEqual(await snapshot(source))
    const rest = service.requests.slice(restBefore).filter((r) => r.path.startsWith('/repos/'))
    expect(rest.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /repos/octo/shop/actions/runs/9001/artifacts', `GET /repos/octo/shop/actions/artifacts/${uploaded.id}/zip`])
    expect(rest.every((r) => r.headers.authorization === 'token ghs_readtoken')).toBe(true)
    useRun(RUN_A)
  })

  it('refuses a name that is not in this run, pointing to run-id/name', async () => {
    useRun(RUN_B)
    await expect(mod.downloadBackup(uploaded.name, path.join(work, 'missing'))).rejects.toMatchObject({ code: 'BACKUP_INVALID', message: expect.stringContaining('<run-id>/<name>') })
    useRun(RUN_A)
  })

  it('refuses an artifact of another run that does not exist', async () => {
    await expect(mod.downloadBackup('9001/dynamodb-backup-nope-1', path.join(work, 'missing2'), { token: 't', repo: { owner: 'octo', repo: 'shop' } })).rejects.toMatchObject({ code: 'BACKUP_INVALID' })
  })

  it('needs a token and a repository for another run', async () => {
    await expect(mod.downloadBackup(`9001/${uploaded.name}`, path.join(work, 'x'), { repo: 'octo/shop' })).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('github-token') })
    await expect(mod.downloadBackup(`9001/${uploaded.name}`, path.join(work, 'x'), { token: 't', repo: 'shop' })).rejects.toMatchObject({ code: 'INVALID_INPUT' })
  })

  it('refuses a download whose bytes do not match the digest recorded at upload', async () => {
    const stored = service.artifacts.find((a) => a.id === uploaded.id)!
    const digest = stored.digest
    stored.digest = `sha256:${'0'.repeat(64)}`
    try {
      await expect(mod.downloadBackup(uploaded.name, path.join(work, 'tampered'))).rejects.toMatchObject({ code: 'BACKUP_INVALID', message: expect.stringContaining('digest') })
    } finally {
      stored.digest = digest
    }
  })

  it('never overwrites: the same name in the same run fails clearly, a re-run attempt gets its own name', async () => {
    await expect(mod.uploadBackup(source, { table: 'orders', environment: 'staging', runId: 9001 })).rejects.toMatchObject({
      code: 'GITHUB_ERROR',
      message: expect.stringMatching(/dynamodb-backup-orders-staging-9001.*already exists in this workflow run/s)
    })
    const second = await mod.uploadBackup(source, { table: 'orders', environment: 'staging', runId: 9001, runAttempt: 2 })
    expect(second.name).toBe('dynamodb-backup-orders-staging-9001-2')
    expect(second.id).not.toBe(uploaded.id)
  })
})

describe('upload refusals', () => {
  it('refuses a folder without manifest.json, calling nothing', async () => {
    const dir = path.join(work, 'not-a-backup')
    await fs.mkdir(dir, { recursive: true })
    await fs.writeFile(path.join(dir, 'x.json.gz'), 'x')
    const before = service.requests.length
    await expect(mod.uploadBackup(dir, { table: 't1', runId: 1 })).rejects.toMatchObject({ code: 'BACKUP_INVALID' })
    await expect(mod.uploadBackup(path.join(work, 'nowhere'), { table: 't1', runId: 1 })).rejects.toMatchObject({ code: 'BACKUP_INVALID' })
    expect(service.requests.length).toBe(before)
  })

  it('refuses a retention that is not a whole number of days', async () => {
    const dir = path.join(work, 'retention')
    await makeBackup(dir)
    await expect(mod.uploadBackup(dir, { table: 't1', runId: 1, retentionDays: 0.5 })).rejects.toMatchObject({ code: 'INVALID_INPUT' })
  })
})
