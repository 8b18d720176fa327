import * as core from '@actions/core'
import { existsSync } from 'node:fs'
import path from 'node:path'
import { dynamoClient, dynamoStreamsClient } from './aws/clients.js'
import { resolveCredentials } from './aws/oidc.js'
import { readSettings, type ActionSettings } from './config/inputs.js'
import { Outputs, type Inputs } from './constants.js'
import { engineContext, type EngineContext, type Reporter } from './engine/context.js'
import { driftFromSettings } from './drift/from-settings.js'
import { renderDriftMarkdown, renderMigrationsText } from './drift/render.js'
import type { MigrationResult, Mode } from './engine/result.js'
import { failedResult, runMigrations } from './engine/run.js'
import type { MigrationPair } from './engine/settings.js'
import { DEFAULT_RETRY } from './dynamo/retry.js'
import { MigrationError, errorMessage } from './errors.js'
import { downloadBackup, uploadBackup } from './github/artifact.js'
import { upsertStickyComment } from './github/comment.js'
import { readRunContext, type RunContext } from './github/event.js'
import { checkDeleteGate } from './github/gate.js'
import { renderJobSummary, writeJobSummary } from './github/summary.js'
import type { LoadedBackup } from './backup/manifest.js'
import { progressLine, resultLine } from './report/text.js'

const actionReporter: Reporter = {
  info: (message) => core.info(message),
  warn: (message) => core.warning(message),
  progress: (event) => core.info(progressLine(event))
}

/** Artifacts uploaded in this run, by pair. */
const artifacts = new Map<string, { name: string; id: number }>()

/** Modes that delete a table: they pass the GitHub gate (event, protected environment) first. */
const DELETING_MODES: ReadonlySet<Mode> = new Set<Mode>(['delete', 'delete-source', 'drop-temp'])

/** Reads the inputs, runs the engine, and reports. The only place that calls setFailed. */
export async function run(): Promise<void> {
  try {
    const settings = readSettings((name: Inputs) => core.getInput(name))
    const context = readRunContext()
    const { credentials, oidcClaims } = await resolveCredentials(settings.aws)
    const client = dynamoClient({
      region: settings.aws.region,
      endpointUrl: settings.aws.endpointUrl,
      credentials,
      maxSockets: settings.engine.writeConcurrency * settings.engine.tableConcurrency + settings.engine.scanSegments * 2
    })
    // Live migration tails the source's DynamoDB stream while the copy runs.
    const streams = settings.engine.live?.enabled ? dynamoStreamsClient({ region: settings.aws.region, endpointUrl: settings.aws.endpointUrl, credentials }) : undefined
    const ctx = engineContext(client, actionReporter, { retry: { ...DEFAULT_RETRY, maxAttempts: settings.aws.maxRetries } })
    if (settings.mode === 'drift') {
      await reportDrift(ctx, settings, context)
      client.destroy()
      return
    }
    core.info(`mode ${settings.mode}: ${settings.pairs.map((p) => `${p.source} -> ${p.target}`).join(', ')}`)

    let results: MigrationResult[]
    const refusals = DELETING_MODES.has(settings.mode) ? await gateRefusals(settings, context, oidcClaims) : []
    // A dry run lists the gate's refusals too, so a plan shows everything a delete would hit.
    const planGate = settings.mode === 'plan' && context.owner ? await gateRefusals(settings, context, oidcClaims) : []
    if (refusals.length) {
      // Refused before any call to DynamoDB: one result per pair, nothing touched.
      const error = new MigrationError('DELETE_REFUSED', refusals.map((r) => r.message).join('\n'))
      const mode = settings.mode
      results = settings.pairs.map((pair) => failedResult(pair, mode, error, 0))
    } else {
      results = await runMigrations(ctx, {
        mode: settings.mode,
        pairs: settings.pairs,
        settings: settings.engine,
        tempTable: settings.tempTable,
        streams,
        backupLocation: await resolveBackupInput(settings, context),
        onBackup: uploader(settings, context, (pair, artifact) => {
          artifacts.set(`${pair.source}\u0000${pair.target}`, artifact)
        })
      })
      for (const r of results) r.plan?.deleteRefusals.push(...planGate)
      for (const r of results) {
        const artifact = artifacts.get(`${r.source}\u0000${r.target}`)
        if (artifact && r.backup) Object.assign(r.backup, { artifact: artifact.name, artifactId: artifact.id })
        else if (artifact) r.backup = { dir: '', manifest: '', artifact: artifact.name, artifactId: artifact.id }
      }
    }
    client.destroy()
    streams?.destroy()
    for (const r of results) core.info(resultLine(r))
    setOutputs(results)
    await writeJobSummary(settings.mode, results)
    await commentOnPullRequest(settings, context, renderJobSummary(settings.mode, results))
    const bad = results.filter((r) => r.status === 'failed' || r.status === 'refused' || r.status === 'mismatch')
    if (bad.length && settings.mode !== 'plan') core.setFailed(bad.map(resultLine).join('\n'))
  } catch (error) {
    core.setFailed(errorMessage(error))
  }
}

async function gateRefusals(settings: ActionSettings, context: RunContext, claims: Record<string, unknown> | undefined) {
  return checkDeleteGate({
    eventName: context.eventName,
    environment: settings.environment,
    protectedEnvironments: settings.protectedEnvironments,
    oidcEnvironmentClaim: typeof claims?.environment === 'string' ? claims.environment : undefined,
    token: settings.githubToken ?? '',
    owner: context.owner ?? '',
    repo: context.repo ?? ''
  })
}

/** The `backup` input as a local folder: a path as it is, otherwise artifact names, downloaded. */
async function resolveBackupInput(settings: ActionSettings, context: RunContext): Promise<string | undefined> {
  if (!settings.backup) return undefined
  if (existsSync(settings.backup)) return settings.backup
  const specs = settings.backup
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter(Boolean)
  if (!context.hasArtifactService) {
    throw new MigrationError('BACKUP_INVALID', `Backup ${settings.backup} is neither a local path nor reachable as an artifact (no artifact service outside GitHub Actions).`)
  }
  const root = path.join(context.runnerTemp, 'dynamodb-backup-downloads')
  for (const spec of specs) {
    const dir = await downloadBackup(spec, path.join(root, spec.replace(/[^\w.-]+/g, '_')), { token: settings.githubToken, repo: context.owner && context.repo ? `${context.owner}/${context.repo}` : undefined })
    core.info(`backup artifact ${spec} downloaded to ${dir}`)
  }
  return root
}

/** Uploads each finished backup as an artifact, when asked and when the runner has the service. */
function uploader(settings: ActionSettings, context: RunContext, record: (pair: MigrationPair, artifact: { name: string; id: number }) => void) {
  if (!settings.uploadArtifact) return undefined
  if (!context.hasArtifactService) {
    core.info('upload-artifact: not running on a GitHub runner with an artifact service; backups stay in backup-dir only')
    return undefined
  }
  return async (pair: MigrationPair, backup: LoadedBackup) => {
    // Each temp-table phase updates the flow record: upload it under its own name.
    const phase = settings.mode === 'migrate' || settings.mode === 'to-temp' ? '' : `-${settings.mode}`
    // Shards of one table run in the same workflow run: each part needs its own artifact name.
    const { shard, shardCount } = backup.manifest.scan
    const part = shardCount !== undefined ? `-shard-${shard ?? 0}-of-${shardCount}` : ''
    const uploaded = await uploadBackup(backup.dir, {
      table: `${backup.manifest.table.name}${phase}${part}`,
      environment: settings.environment,
      runId: context.runId,
      runAttempt: context.runAttempt,
      retentionDays: settings.artifactRetentionDays
    })
    core.info(`backup of ${backup.manifest.table.name} uploaded as artifact ${uploaded.name} (${uploaded.size} bytes)`)
    record(pair, uploaded)
  }
}

/** `mode: drift`: read-only; the report goes to the summary, the PR comment and the outputs. */
async function reportDrift(ctx: EngineContext, settings: ActionSettings, context: RunContext): Promise<void> {
  const { report, adoptFiles } = await driftFromSettings(ctx, settings)
  const markdown = renderDriftMarkdown(report)
  core.info(markdown)
  core.setOutput(Outputs.Result, JSON.stringify(report))
  core.setOutput(Outputs.Migrations, renderMigrationsText(report))
  core.setOutput(Outputs.Recommendations, JSON.stringify(report.recommendations.map(({ table, path: route, target, why }) => ({ table, path: route, target, why }))))
  core.setOutput(Outputs.AdoptFiles, adoptFiles.join('\n'))
  if (process.env.GITHUB_STEP_SUMMARY) await core.summary.addRaw(markdown, true).write()
  await commentOnPullRequest(settings, context, markdown)
}

async function commentOnPullRequest(settings: ActionSettings, context: RunContext, body: string): Promise<void> {
  if (!settings.commentOnPr || context.pullRequest === undefined) return
  if (!settings.githubToken || !context.owner || !context.repo) {
    core.warning('comment-on-pr: no github-token or repository; the results are in the job summary only')
    return
  }
  try {
    const heading = settings.environment ? `**Environment: \`${settings.environment}\`**\n\n` : ''
    const comment = await upsertStickyComment({
      token: settings.githubToken,
      owner: context.owner,
      repo: context.repo,
      issueNumber: context.pullRequest,
      environment: settings.environment,
      body: heading + body
    })
    core.info(`pull request comment ${comment.action}: ${comment.url}`)
  } catch (error) {
    // The comment is a convenience: its failure never hides the migration's own result.
    core.warning(`Could not update the pull request comment: ${errorMessage(error)}`)
  }
}

function setOutputs(results: MigrationResult[]): void {
  core.setOutput(Outputs.Result, JSON.stringify(results))
  core.setOutput(Outputs.ItemsCopied, String(results.reduce((sum, r) => sum + (r.itemsWritten ?? 0), 0)))
  core.setOutput(Outputs.Verified, String(results.length > 0 && results.every((r) => r.status === 'verified' || r.status === 'deleted')))
  core.setOutput(Outputs.BackupArtifact, results.map((r) => r.backup?.artifact).filter(Boolean).join(','))
}
