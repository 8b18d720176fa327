import { existsSync } from 'node:fs'
import { readSettings, type ActionSettings } from '../config/inputs.js'
import { Inputs } from '../constants.js'
import { MigrationError } from '../errors.js'
import type { CliMode } from './modes.js'

/** The flags as commander hands them over: numbers stay text, validated once by readSettings. */
export interface CliOptions {
  /** `source -> target`, one per flag (repeatable). */
  migrations: string[]
  /** A YAML/JSON file with `migrations: [{source, target}]`, as the action's migrations input takes. */
  config?: string
  region?: string
  profile?: string
  endpointUrl?: string
  createTarget?: string
  allowNonEmptyTarget?: boolean
  scanSegments?: string
  consistentRead?: boolean
  writeConcurrency?: string
  maxWriteRate?: string
  tableConcurrency?: string
  maxRetries?: string
  backupDir?: string
  backup?: string
  tempTable?: string
  /** Source tables delete may remove (repeatable, or comma-separated). */
  confirmDelete: string[]
  disableDeletionProtection?: boolean
  awsBackupBeforeDelete?: boolean
  /** Print the result object (JSON) on stdout instead of the table. */
  json?: boolean
  /** Hidden: force how progress is shown (default: bars on a terminal, lines otherwise). */
  progress?: ProgressStyle
}

export type ProgressStyle = 'bars' | 'lines' | 'none'

/** Inputs with a flag of their own (in program.ts), or set by the CLI itself. */
const MAPPED: ReadonlySet<string> = new Set<string>([
  Inputs.Mode,
  Inputs.Migrations,
  Inputs.AwsRegion,
  Inputs.EndpointUrl,
  Inputs.CreateTarget,
  Inputs.AllowNonEmptyTarget,
  Inputs.ScanSegments,
  Inputs.ConsistentRead,
  Inputs.WriteConcurrency,
  Inputs.MaxWriteRate,
  Inputs.TableConcurrency,
  Inputs.MaxRetries,
  Inputs.BackupDir,
  Inputs.Backup,
  Inputs.TempTable,
  Inputs.ConfirmDelete,
  Inputs.DisableDeletionProtection,
  Inputs.AwsBackupBeforeDelete,
  Inputs.UploadArtifact,
  Inputs.CommentOnPr
])

/** Inputs that only mean something inside GitHub Actions (OIDC, artifacts, environments, comments). */
const GITHUB_ONLY: ReadonlySet<string> = new Set<string>([
  Inputs.RoleToAssume,
  Inputs.RoleSessionName,
  Inputs.Audience,
  Inputs.StsEndpointUrl,
  Inputs.ArtifactRetentionDays,
  Inputs.ProtectedEnvironments,
  Inputs.Environment,
  Inputs.GithubToken
])

/**
 * Every other input of the action, each offered as `--<input> VALUE` (repeatable: the values
 * become lines), so an input added to the action (and the mode that reads it) works from the
 * terminal without a change here.
 */
export function passThroughInputs(): string[] {
  return Object.values(Inputs).filter((name) => !MAPPED.has(name) && !GITHUB_ONLY.has(name))
}

/** `naming-convention` → `namingConvention`, as commander names the option's value. */
export function optionKey(flag: string): string {
  return flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())
}

/** The flag a user typed for each action input, to name it in messages. */
const FLAG_FOR_INPUT: Partial<Record<string, string>> = { [Inputs.AwsRegion]: '--region' }

/** The migrations text the action would get: `source -> target` lines, or the config file's path. */
export function migrationsText(options: CliOptions): string {
  if (options.config && options.migrations.length) {
    throw new MigrationError('INVALID_INPUT', 'Give the migrations once: --migrations "source -> target" or --config FILE, not both.')
  }
  if (options.config) {
    if (!existsSync(options.config)) throw new MigrationError('INVALID_INPUT', `--config: ${options.config} does not exist.`)
    return options.config
  }
  return options.migrations.join('\n')
}

/**
 * Validates every flag exactly as the action validates its inputs (same rules, same bounds),
 * with messages naming the flag instead of the input.
 */
export function cliSettings(mode: CliMode, options: CliOptions, region: string): ActionSettings {
  const values: Partial<Record<string, string>> = {
    [Inputs.Mode]: mode,
    [Inputs.Migrations]: migrationsText(options),
    [Inputs.AwsRegion]: region,
    [Inputs.EndpointUrl]: options.endpointUrl,
    [Inputs.CreateTarget]: options.createTarget,
    [Inputs.AllowNonEmptyTarget]: flag(options.allowNonEmptyTarget),
    [Inputs.ScanSegments]: options.scanSegments,
    [Inputs.ConsistentRead]: flag(options.consistentRead),
    [Inputs.WriteConcurrency]: options.writeConcurrency,
    [Inputs.MaxWriteRate]: options.maxWriteRate,
    [Inputs.TableConcurrency]: options.tableConcurrency,
    [Inputs.MaxRetries]: options.maxRetries,
    [Inputs.BackupDir]: options.backupDir,
    [Inputs.Backup]: options.backup,
    [Inputs.TempTable]: options.tempTable,
    [Inputs.ConfirmDelete]: options.confirmDelete.join(','),
    [Inputs.DisableDeletionProtection]: flag(options.disableDeletionProtection),
    [Inputs.AwsBackupBeforeDelete]: flag(options.awsBackupBeforeDelete),
    [Inputs.UploadArtifact]: 'false',
    [Inputs.CommentOnPr]: 'false'
  }
  const raw = options as unknown as Record<string, string[] | undefined>
  for (const input of passThroughInputs()) values[input] = raw[optionKey(input)]?.join('\n')
  try {
    return readSettings((name) => values[name] ?? '', {})
  } catch (error) {
    if (!(error instanceof MigrationError)) throw error
    const message = /^Input "migrations" is empty/.test(error.message)
      ? 'No migrations: give --migrations "source -> target" (repeatable) or --config FILE (YAML/JSON with migrations: [{source, target}]).'
      : flagMessage(error.message, options)
    throw new MigrationError(error.code, message, error.details)
  }
}

/** `Input "scan-segments": got …` → `--scan-segments: got …` (and --config for a migrations file). */
export function flagMessage(message: string, options: Pick<CliOptions, 'config'>): string {
  return message.replace(/(?:the )?[Ii]nput "([a-z-]+)"/g, (_, input: string) => {
    if (input === Inputs.Migrations) return options.config ? '--config' : '--migrations'
    return FLAG_FOR_INPUT[input] ?? `--${input}`
  })
}

function flag(value: boolean | undefined): string {
  return value ? 'true' : ''
}
