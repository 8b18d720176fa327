import { Command, CommanderError, Option } from 'commander'
import { TOOL_VERSION } from '../version.js'
import { MODES, modeDescription, type CliMode } from './modes.js'
import { passThroughInputs, type CliOptions } from './options.js'

export const PROGRAM = 'dynamodb-migrate'

/** What the command line asked for, or the exit code when it was only help, a version or a usage error. */
export type Invocation = { mode: CliMode; options: CliOptions } | { exitCode: number }

export interface ProgramOutput {
  writeOut(text: string): void
  writeErr(text: string): void
}

const EXIT_CODES = `
Exit codes:
  0  done: every migration did what the mode asks (planned, verified, deleted)
  1  failed: an AWS error, writes left undone, a verify mismatch (see the message)
  2  refused, nothing changed: bad flags or migrations, no credentials or region,
     or a safety gate (a non-empty target, a schema mismatch, a delete not confirmed);
     plan exits 2 when migrate would refuse; drift exits 0 once its report is made`

const EXAMPLES = `
Examples:
  $ ${PROGRAM} plan --profile qa --migrations 'order-tracking-qa -> qa-order-tracking'
  $ ${PROGRAM} migrate --profile qa --config migrations.yml --backup-dir ./backups
  $ ${PROGRAM} delete --profile qa --config migrations.yml --backup-dir ./backups --confirm-delete order-tracking-qa`

/** Parses argv (without node and the script) with commander: one subcommand per mode in MODES. */
export async function parseCommandLine(args: string[], output: ProgramOutput): Promise<Invocation> {
  let invocation: Invocation | undefined
  const program = new Command(PROGRAM)
    .description('Migrate DynamoDB tables to a new name: backup, create, copy, verify (count + content digest), gated delete.')
    .version(TOOL_VERSION)
    .exitOverride()
    .configureOutput(output)
    .showHelpAfterError(`(${PROGRAM} --help for usage)`)
    .addHelpText('after', `${EXIT_CODES}\n${EXAMPLES}`)
  for (const mode of MODES) {
    const command = program.command(mode).description(modeDescription(mode)).addHelpText('after', EXIT_CODES)
    addOptions(command).action((options: CliOptions) => {
      invocation = { mode, options }
    })
  }
  try {
    await program.parseAsync(args, { from: 'user' })
  } catch (error) {
    if (error instanceof CommanderError) return { exitCode: error.exitCode === 0 ? 0 : 2 }
    throw error
  }
  return invocation ?? { exitCode: 2 }
}

const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), value]

/** Help for inputs passed through as they are; any other input gets a generic line. */
const INPUT_HELP: Readonly<Record<string, string>> = {
  'naming-convention': 'drift: the naming convention, e.g. ${stage}-${name}',
  stage: 'drift: the stage to check, e.g. qa',
  service: 'drift: the value of ${service} in the convention',
  'iac-template': 'drift: a serverless.yml or CloudFormation template to compare with',
  'managed-tables': 'drift: live tables the IaC stack already owns (repeatable)',
  'stack-name': 'drift: the stack name, for the template\'s variables',
  'template-parameters': 'drift: a template parameter, Name=value (repeatable)',
  'migrations-file': 'drift: also write the proposed migrations to this YAML file'
}

/** The action's inputs as flags (same names, same rules), plus --profile, --config and --json. */
function addOptions(command: Command): Command {
  command
    .option('--migrations <pair>', '"source -> target" (quote it; repeat the flag for more tables)', collect, [])
    .option('--config <file>', 'a YAML/JSON file with migrations: [{source, target}], as the action reads')
    .option('--region <region>', 'AWS region (default: AWS_REGION, AWS_DEFAULT_REGION, then the profile\'s region)')
    .option('--profile <name>', 'a profile of ~/.aws/config or ~/.aws/credentials, SSO profiles included')
    .option('--endpoint-url <url>', 'a DynamoDB endpoint other than AWS\'s (a local server)')
    .addOption(new Option('--create-target <when>', 'create the target from the source\'s schema, or require it (IaC)').choices(['if-missing', 'never']))
    .option('--allow-non-empty-target', 'copy into a target that already holds items')
    .option('--scan-segments <n>', 'parallel scan segments for backup and verify (default 4)')
    .option('--consistent-read', 'strongly consistent backup scans (twice the read cost)')
    .option('--write-concurrency <n>', 'BatchWriteItem requests in flight per table (default 8)')
    .option('--max-write-rate <n>', 'items per second cap per table, 0 for none (default 0)')
    .option('--table-concurrency <n>', 'tables migrated at the same time (default 2)')
    .option('--max-retries <n>', 'attempts per request for throttling and 5xx (default 12)')
    .option('--backup-dir <dir>', 'local folder for backups, one folder each (default ./dynamodb-backups)')
    .option('--backup <path>', 'the backup to check against or read: a folder, its manifest.json, or a folder of backups (default: --backup-dir)')
    .option('--confirm-delete <table>', 'a source table delete may remove (repeatable); needed when not on a terminal', collect, [])
    .option('--disable-deletion-protection', 'turn deletion protection off before deleting a confirmed source')
    .option('--aws-backup-before-delete', 'take an on-demand AWS backup right before deleting')
    .option('--temp-table <name>', 'the temp-table phases\' temporary table (default <source>-temp)')
    .option('--json', 'print the result object (JSON) on stdout for scripts')
    .addOption(new Option('--progress <style>', 'bars, lines or none (default: bars on a terminal)').choices(['bars', 'lines', 'none']).hideHelp())
  for (const input of passThroughInputs()) {
    command.addOption(new Option(`--${input} <value>`, INPUT_HELP[input] ?? `the action's ${input} input (see action.yml)`).argParser(collect).helpGroup('Other inputs of the action:'))
  }
  return command
}
