import * as core from '@actions/core'
import { dynamoClient } from './aws/clients.js'
import { readSettings } from './config/inputs.js'
import { Outputs, type Inputs } from './constants.js'
import { engineContext, type Reporter } from './engine/context.js'
import type { MigrationResult } from './engine/result.js'
import { runMigrations } from './engine/run.js'
import { DEFAULT_RETRY } from './dynamo/retry.js'
import { errorMessage } from './errors.js'
import { progressLine, resultLine } from './report/text.js'
import { writeJobSummary } from './github/summary.js'

const actionReporter: Reporter = {
  info: (message) => core.info(message),
  warn: (message) => core.warning(message),
  progress: (event) => core.info(progressLine(event))
}

/** Reads the inputs, runs the engine, and reports. The only place that calls setFailed. */
export async function run(): Promise<void> {
  try {
    const settings = readSettings((name: Inputs) => core.getInput(name))
    const client = dynamoClient({ region: settings.aws.region, endpointUrl: settings.aws.endpointUrl, maxSockets: settings.engine.writeConcurrency * settings.engine.tableConcurrency + settings.engine.scanSegments * 2 })
    const ctx = engineContext(client, actionReporter, { retry: { ...DEFAULT_RETRY, maxAttempts: settings.aws.maxRetries } })
    core.info(`mode ${settings.mode}: ${settings.pairs.map((p) => `${p.source} -> ${p.target}`).join(', ')}`)
    const results = await runMigrations(ctx, { mode: settings.mode, pairs: settings.pairs, settings: settings.engine, backupLocation: settings.backup })
    for (const r of results) core.info(resultLine(r))
    setOutputs(results)
    await writeJobSummary(settings.mode, results)
    const bad = results.filter((r) => r.status === 'failed' || r.status === 'refused' || r.status === 'mismatch')
    if (bad.length && settings.mode !== 'plan') core.setFailed(bad.map(resultLine).join('\n'))
  } catch (error) {
    core.setFailed(errorMessage(error))
  }
}

function setOutputs(results: MigrationResult[]): void {
  core.setOutput(Outputs.Result, JSON.stringify(results))
  core.setOutput(Outputs.ItemsCopied, String(results.reduce((sum, r) => sum + (r.itemsWritten ?? 0), 0)))
  core.setOutput(Outputs.Verified, String(results.length > 0 && results.every((r) => r.status === 'verified' || r.status === 'deleted')))
  core.setOutput(Outputs.BackupArtifact, results.map((r) => r.backup?.artifact).filter(Boolean).join(','))
}
