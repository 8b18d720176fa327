import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { promises as fs } from 'node:fs'
import path from 'node:path'
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb'
import { scanDigest } from '../../src/engine/scan-digest.js'
import { createTable, dropTable, dynaliteEndpoint, localClient, orderItems, orderTrackingSchema, putItems, tempDir, testContext, uniqueName } from '../helpers/dynamo.js'
import { runBundledAction } from '../helpers/run-action.js'
import { startArtifactService, type ArtifactServiceStandIn } from '../github/artifact-service.js'
import { startGitHubApi, type GitHubApiStandIn } from '../github/github-api.js'

const client = localClient()
const ctx = testContext(client)
const tables: string[] = []
let work: string
let artifactService: ArtifactServiceStandIn
let api: GitHubApiStandIn

beforeAll(async () => {
  work = await tempDir()
  artifactService = await startArtifactService()
  api = await startGitHubApi()
})
afterAll(async () => {
  await Promise.all(tables.map((t) => dropTable(client, t)))
  await fs.rm(work, { recursive: true, force: true })
  await artifactService.close()
  await api.close()
  client.destroy()
})

async function exists(table: string) {
  return client.send(new DescribeTableCommand({ TableName: table })).then(
    () => true,
    () => false
  )
}

/** Environment of a job on a GitHub runner: the artifact service and the REST API are the stand-ins. */
function runner(job: string, extra: Record<string, string> = {}) {
  return {
    ACTIONS_RUNTIME_TOKEN: artifactService.runtimeToken('run-backend-1', job),
    ACTIONS_RESULTS_URL: `${artifactService.origin}/`,
    GITHUB_API_URL: api.origin,
    ...extra
  }
}

async function sourceTable(count = 200) {
  const source = uniqueName('order-tracking-qa')
  const target = uniqueName('qa-order-tracking')
  tables.push(source, target)
  await createTable(client, orderTrackingSchema(source))
  await putItems(client, source, orderItems(count))
  return { source, target }
}

const base = (source: string, target: string, mode: string, extra: Record<string, string> = {}) => ({
  mode,
  migrations: `${source} -> ${target}`,
  'aws-region': 'us-east-1',
  'endpoint-url': dynaliteEndpoint(),
  'github-token': 'ghs_test-token',
  environment: 'qa',
  ...extra
})

describe('the action on GitHub: artifacts, gated deletes, sticky PR comments', () => {
  it('migrate uploads the backup as an artifact; a later job deletes the source using that artifact', async () => {
    const { source, target } = await sourceTable()
    const migrate = await runBundledAction(base(source, target, 'migrate', { 'backup-dir': path.join(work, 'job1') }), runner('job-1'))
    if (migrate.code !== 0) console.log(migrate.stdout, migrate.stderr)
    expect(migrate.code).toBe(0)
    const artifactName = migrate.outputs['backup-artifact']
    expect(artifactName).toBe(`dynamodb-backup-${source}-qa-4242`)
    expect(artifactService.artifacts.find((a) => a.name === artifactName)?.finalized).toBe(true)
    expect(migrate.summary).toContain(artifactName)

    // Another job of the same run: a fresh runner, the backup comes from the artifact.
    const del = await runBundledAction(base(source, target, 'delete', { backup: artifactName as string, 'confirm-delete': source, 'backup-dir': path.join(work, 'job2') }), runner('job-2'))
    expect(del.stdout).toContain(`backup artifact ${artifactName} downloaded`)
    if (del.code !== 0) console.log(del.stdout)
    expect(del.code).toBe(0)
    expect(JSON.parse(del.outputs.result as string)[0]).toMatchObject({ status: 'deleted' })
    expect(await exists(source)).toBe(false)
  })

  it('refuses delete on a pull_request event, before touching any table', async () => {
    const { source, target } = await sourceTable(30)
    const backupDir = path.join(work, 'pr-delete')
    expect((await runBundledAction(base(source, target, 'migrate', { 'backup-dir': backupDir, 'upload-artifact': 'false' }))).code).toBe(0)
    const before = (await scanDigest(ctx, source, { segments: 1 })).toJSON()
    const eventPath = path.join(work, 'pr-event.json')
    await fs.writeFile(eventPath, JSON.stringify({ pull_request: { number: 3 } }))
    const del = await runBundledAction(base(source, target, 'delete', { 'backup-dir': backupDir, 'confirm-delete': source, 'comment-on-pr': 'false' }), { GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: eventPath, GITHUB_API_URL: api.origin })
    expect(del.code).toBe(1)
    expect(del.stdout).toContain('Delete never runs on pull_request events')
    expect(JSON.parse(del.outputs.result as string)[0]).toMatchObject({ status: 'refused', error: { code: 'DELETE_REFUSED' } })
    expect((await scanDigest(ctx, source, { segments: 1 })).toJSON()).toEqual(before)
  })

  it('refuses a production delete outside a protected environment', async () => {
    const { source, target } = await sourceTable(10)
    const backupDir = path.join(work, 'prod-delete')
    expect((await runBundledAction(base(source, target, 'migrate', { 'backup-dir': backupDir, 'upload-artifact': 'false' }))).code).toBe(0)
    const del = await runBundledAction(base(source, target, 'delete', { environment: 'prod', 'backup-dir': backupDir, 'confirm-delete': source }), { GITHUB_API_URL: api.origin })
    expect(del.code).toBe(1)
    expect(del.stdout).toContain('Environment "prod" is protected')
    expect(await exists(source)).toBe(true)
  })

  it('a pull-request dry run keeps one sticky comment per environment, updated on rerun', async () => {
    const { source, target } = await sourceTable(25)
    const eventPath = path.join(work, 'pr-42.json')
    await fs.writeFile(eventPath, JSON.stringify({ pull_request: { number: 42 } }))
    const pr = { GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: eventPath, GITHUB_API_URL: api.origin }
    const first = await runBundledAction(base(source, target, 'plan'), pr)
    expect(first.code).toBe(0)
    expect(first.stdout).toContain('pull request comment created')
    const second = await runBundledAction(base(source, target, 'plan'), pr)
    expect(second.stdout).toContain('pull request comment updated')
    const uat = await runBundledAction(base(source, target, 'plan', { environment: 'uat' }), pr)
    expect(uat.stdout).toContain('pull request comment created')
    const mine = api.comments.filter((c) => c.issue === 42)
    expect(mine).toHaveLength(2)
    expect(mine[0]?.body).toContain('Environment: `qa`')
    expect(mine[0]?.body).toContain(`\`${source}\``)
    expect(mine[0]?.body).toContain('Delete never runs on pull_request events')
  })
})
