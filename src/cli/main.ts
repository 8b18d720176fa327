import { dynamoClient } from '../aws/clients.js'
import type { ActionSettings } from '../config/inputs.js'
import type { DriftReport } from '../drift/drift.js'
import { engineContext, type EngineContext } from '../engine/context.js'
import type { MigrationResult } from '../engine/result.js'
import { runMigrations } from '../engine/run.js'
import { DEFAULT_RETRY } from '../dynamo/retry.js'
import { MigrationError, errorMessage } from '../errors.js'
import { loadCredentials, readProfile, resolveRegion } from './aws.js'
import { confirmDeletes, terminalAsk, type Ask } from './confirm.js'
import { driftReport, driftText, renderMigrationsText } from './drift.js'
import { ExitCode, exitCodeForError, exitCodeForResults } from './exit-codes.js'
import type { CliMode } from './modes.js'
import { cliSettings, type CliOptions } from './options.js'
import { parseCommandLine, PROGRAM } from './program.js'
import { cliReporter, type CliReporter, type Out } from './progress.js'
import { resultLines, resultsTable } from './results-table.js'
import { style } from './style.js'

/** The streams and environment the CLI works with (the process's own, or a test's). */
export interface CliIo {
  stdout: Out
  stderr: Out
  stdin: NodeJS.ReadableStream & { isTTY?: boolean }
  env: NodeJS.ProcessEnv
}

/** For --json: the action's `result` output as `results`, with the mode and the exit code. */
export interface JsonReport {
  mode?: string
  exitCode: number
  results: MigrationResult[]
  /** `drift` only: the report (the action's `result` output for drift) and the proposed migrations. */
  drift?: DriftReport
  migrations?: string
  /** Why the run stopped before any table: bad flags, no credentials, a delete not confirmed. */
  error?: { code: string; message: string }
}

type Outcome = { results: MigrationResult[] } | { drift: DriftReport }

/**
 * Runs the command line and returns the exit code. Progress and messages go to stderr; the
 * results (a table on a terminal, the action's lines otherwise, or JSON) to stdout.
 */
export async function runCli(args: string[], io: CliIo = processIo()): Promise<number> {
  let usage = ''
  const invocation = await parseCommandLine(args, {
    writeOut: (s) => io.stdout.write(s),
    writeErr: (s) => {
      usage ||= s.split('\n')[0] ?? ''
      io.stderr.write(s)
    }
  })
  if ('exitCode' in invocation) {
    const error = { code: 'INVALID_INPUT', message: usage.replace(/^error: /, '') || 'invalid command line' }
    if (args.includes('--json') && invocation.exitCode !== 0) printJson(io, { exitCode: invocation.exitCode, results: [], error })
    return invocation.exitCode
  }
  const { mode, options } = invocation
  const progress = options.progress ?? (io.stderr.isTTY ? 'bars' : 'lines')
  const reporter = cliReporter(progress, io.stderr, style(io.stderr, io.env))
  const onSigint = () => {
    reporter.stop()
    io.stderr.write(`\n${PROGRAM}: interrupted.${mode === 'migrate' ? ' Run the same migrate again (same --backup-dir) to resume its copy.' : ''}\n`)
    process.exit(ExitCode.Interrupted)
  }
  process.once('SIGINT', onSigint)
  try {
    const ask = io.stdin.isTTY && io.stderr.isTTY ? terminalAsk(io.stdin, io.stderr) : undefined
    const outcome = await execute(mode, options, io, reporter, ask)
    reporter.stop()
    if ('drift' in outcome) {
      if (options.json) printJson(io, { mode, exitCode: ExitCode.Done, results: [], drift: outcome.drift, migrations: renderMigrationsText(outcome.drift) })
      else io.stdout.write(driftText(outcome.drift))
      return ExitCode.Done
    }
    const code = exitCodeForResults(outcome.results)
    if (options.json) printJson(io, { mode, exitCode: code, results: outcome.results })
    else if (io.stdout.isTTY || progress === 'bars') io.stdout.write(resultsTable(outcome.results, style(io.stdout, io.env)))
    else io.stdout.write(resultLines(outcome.results))
    return code
  } catch (error) {
    reporter.stop()
    const code = exitCodeForError(error)
    io.stderr.write(`${PROGRAM}: ${code === ExitCode.Refused ? 'refused' : 'failed'}: ${errorMessage(error)}\n`)
    if (options.json) printJson(io, { mode, exitCode: code, results: [], error: { code: error instanceof MigrationError ? error.code : 'AWS_ERROR', message: errorMessage(error) } })
    return code
  } finally {
    process.removeListener('SIGINT', onSigint)
  }
}

/** Flags → settings (the action's validation), region and credentials, delete confirmation, then the engine. */
async function execute(mode: CliMode, options: CliOptions, io: CliIo, reporter: CliReporter, ask?: Ask): Promise<Outcome> {
  const profile = await readProfile(options.profile, io.env)
  const { region, from } = resolveRegion(options.region, io.env, profile)
  const settings = cliSettings(mode, options, region)
  const credentials = await loadCredentials(options.profile)
  const confirmDelete = await confirmDeletes(mode, settings.pairs, settings.engine.confirmDelete, ask)
  const engine = { ...settings.engine, confirmDelete }
  const where = [`region ${region} (from ${from})`, profile.name ? `profile ${profile.name}` : '', settings.aws.endpointUrl ? `endpoint ${settings.aws.endpointUrl}` : '']
  reporter.info(`${PROGRAM} ${mode}: ${where.filter(Boolean).join(', ')}`)
  if (settings.pairs.length) reporter.info(`migrations: ${settings.pairs.map((p) => `${p.source} -> ${p.target}`).join(', ')}`)
  const client = dynamoClient({
    region,
    endpointUrl: settings.aws.endpointUrl,
    credentials,
    maxSockets: engine.writeConcurrency * engine.tableConcurrency + engine.scanSegments * 2
  })
  try {
    const ctx = engineContext(client, reporter, { retry: { ...DEFAULT_RETRY, maxAttempts: settings.aws.maxRetries } })
    return await dispatch(ctx, { ...settings, engine })
  } finally {
    client.destroy()
  }
}

/** drift has a report of its own; every other mode goes to runMigrations as it is. */
async function dispatch(ctx: EngineContext, settings: ActionSettings): Promise<Outcome> {
  if (settings.mode === 'drift') return { drift: await driftReport(ctx, settings) }
  const results = await runMigrations(ctx, { mode: settings.mode, pairs: settings.pairs, settings: settings.engine, backupLocation: settings.backup, tempTable: settings.tempTable })
  return { results }
}

function printJson(io: CliIo, report: JsonReport): void {
  io.stdout.write(`${JSON.stringify(report, null, 2)}\n`)
}

function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env }
}
