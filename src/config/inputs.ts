import { z } from 'zod'
import { Inputs, MODES } from '../constants.js'
import { MigrationError } from '../errors.js'
import type { EngineSettings, MigrationPair } from '../engine/settings.js'
import type { Mode } from '../engine/result.js'
import { readLiveInputs } from './live-inputs.js'
import { parseMigrations } from './migrations.js'

/** Everything the action was asked to do, validated once. Nothing below reads raw inputs. */
export interface ActionSettings {
  mode: Mode | 'drift'
  pairs: MigrationPair[]
  engine: EngineSettings
  aws: {
    region: string
    /** IAM role to assume with the GitHub OIDC token; none: the default credential chain. */
    roleToAssume?: string
    roleSessionName: string
    audience: string
    endpointUrl?: string
    stsEndpointUrl?: string
    maxRetries: number
  }
  /** Upload each backup folder as a workflow artifact. */
  uploadArtifact: boolean
  artifactRetentionDays?: number
  /** A backup for verify/delete: folder, manifest, or artifact name (optionally `run-id/name`). */
  backup?: string
  /** Temp table name for the temp-table modes (default `<source>-temp`). */
  tempTable?: string
  protectedEnvironments: string[]
  /** The environment this run migrates, for gates, artifact names and the sticky comment. */
  environment?: string
  githubToken?: string
  commentOnPr: boolean
  /** `mode: drift` only. */
  drift?: DriftSettings
}

/** What `mode: drift` compares the live tables with. */
export interface DriftSettings {
  namingConvention: string
  stage: string
  service?: string
  iacTemplate?: string
  managedTables: string[]
  stackName?: string
  templateParameters: Record<string, string>
  /** Also write the proposed migrations as a YAML file the `migrations` input accepts. */
  migrationsFile?: string
  /** Write the files that adopt correctly named tables into the stack by import. */
  adoptOutputDir?: string
}

type Raw = (name: Inputs) => string

const TRUE = ['true', 'True', 'TRUE']
const FALSE = ['false', 'False', 'FALSE']

/** The accepted values of each input, as said in errors. */
function bool(name: Inputs, fallback: boolean) {
  return z.string().transform((v, ctx) => {
    if (v === '') return fallback
    if (TRUE.includes(v)) return true
    if (FALSE.includes(v)) return false
    ctx.addIssue({ code: 'custom', message: `Input "${name}": got "${v}"; expected true or false.` })
    return z.NEVER
  })
}

function int(name: Inputs, fallback: number | undefined, min: number, max: number) {
  return z.string().transform((v, ctx) => {
    if (v === '') return fallback
    const n = Number(v)
    if (!/^\d+$/.test(v.trim()) || n < min || n > max) {
      ctx.addIssue({ code: 'custom', message: `Input "${name}": got "${v}"; expected a whole number from ${min} to ${max}.` })
      return z.NEVER
    }
    return n
  })
}

function oneOf<T extends string>(name: Inputs, values: readonly T[], fallback: T) {
  return z.string().transform((v, ctx) => {
    if (v === '') return fallback
    if ((values as readonly string[]).includes(v)) return v as T
    ctx.addIssue({ code: 'custom', message: `Input "${name}": got "${v}"; expected one of ${values.join(', ')}.` })
    return z.NEVER
  })
}

const list = z.string().transform((v) =>
  v
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter(Boolean)
)

function url(name: Inputs) {
  return z.string().transform((v, ctx) => {
    if (v === '') return undefined
    try {
      const u = new URL(v)
      if (u.protocol === 'http:' || u.protocol === 'https:') return v
    } catch {
      /* reported below */
    }
    ctx.addIssue({ code: 'custom', message: `Input "${name}": got "${v}"; expected an http(s) URL.` })
    return z.NEVER
  })
}

const optional = z.string().transform((v) => (v === '' ? undefined : v))

/** Reads and validates every input; the first problem is one MigrationError naming the input. */
export function readSettings(raw: Raw, env: NodeJS.ProcessEnv = process.env): ActionSettings {
  const schema = z.object({
    mode: oneOf(Inputs.Mode, MODES, 'plan'),
    region: optional,
    roleToAssume: optional,
    roleSessionName: optional,
    audience: optional,
    endpointUrl: url(Inputs.EndpointUrl),
    stsEndpointUrl: url(Inputs.StsEndpointUrl),
    createTarget: oneOf(Inputs.CreateTarget, ['if-missing', 'never'] as const, 'if-missing'),
    allowNonEmptyTarget: bool(Inputs.AllowNonEmptyTarget, false),
    scanSegments: int(Inputs.ScanSegments, 4, 1, 1_000_000),
    consistentRead: bool(Inputs.ConsistentRead, false),
    writeConcurrency: int(Inputs.WriteConcurrency, 8, 1, 256),
    maxWriteRate: int(Inputs.MaxWriteRate, 0, 0, 10_000_000),
    tableConcurrency: int(Inputs.TableConcurrency, 2, 1, 32),
    maxRetries: int(Inputs.MaxRetries, 12, 1, 100),
    backupDir: optional,
    uploadArtifact: bool(Inputs.UploadArtifact, true),
    artifactRetentionDays: int(Inputs.ArtifactRetentionDays, undefined, 1, 90),
    backup: optional,
    tempTable: optional,
    confirmDelete: list,
    disableDeletionProtection: bool(Inputs.DisableDeletionProtection, false),
    awsBackupBeforeDelete: bool(Inputs.AwsBackupBeforeDelete, false),
    protectedEnvironments: list,
    environment: optional,
    githubToken: optional,
    commentOnPr: bool(Inputs.CommentOnPr, true),
    namingConvention: optional,
    stage: optional,
    service: optional,
    iacTemplate: optional,
    managedTables: list,
    stackName: optional,
    templateParameters: z.string(),
    migrationsFile: optional,
    adoptOutputDir: optional,
    shard: int(Inputs.Shard, undefined, 0, 999),
    shardCount: int(Inputs.ShardCount, undefined, 1, 1000)
  })
  const parsed = schema.safeParse({
    mode: raw(Inputs.Mode),
    region: raw(Inputs.AwsRegion),
    roleToAssume: raw(Inputs.RoleToAssume),
    roleSessionName: raw(Inputs.RoleSessionName),
    audience: raw(Inputs.Audience),
    endpointUrl: raw(Inputs.EndpointUrl),
    stsEndpointUrl: raw(Inputs.StsEndpointUrl),
    createTarget: raw(Inputs.CreateTarget),
    allowNonEmptyTarget: raw(Inputs.AllowNonEmptyTarget),
    scanSegments: raw(Inputs.ScanSegments),
    consistentRead: raw(Inputs.ConsistentRead),
    writeConcurrency: raw(Inputs.WriteConcurrency),
    maxWriteRate: raw(Inputs.MaxWriteRate),
    tableConcurrency: raw(Inputs.TableConcurrency),
    maxRetries: raw(Inputs.MaxRetries),
    backupDir: raw(Inputs.BackupDir),
    uploadArtifact: raw(Inputs.UploadArtifact),
    artifactRetentionDays: raw(Inputs.ArtifactRetentionDays),
    backup: raw(Inputs.Backup),
    tempTable: raw(Inputs.TempTable),
    confirmDelete: raw(Inputs.ConfirmDelete),
    disableDeletionProtection: raw(Inputs.DisableDeletionProtection),
    awsBackupBeforeDelete: raw(Inputs.AwsBackupBeforeDelete),
    protectedEnvironments: raw(Inputs.ProtectedEnvironments),
    environment: raw(Inputs.Environment),
    githubToken: raw(Inputs.GithubToken),
    commentOnPr: raw(Inputs.CommentOnPr),
    namingConvention: raw(Inputs.NamingConvention),
    stage: raw(Inputs.Stage),
    service: raw(Inputs.Service),
    iacTemplate: raw(Inputs.IacTemplate),
    managedTables: raw(Inputs.ManagedTables),
    stackName: raw(Inputs.StackName),
    templateParameters: raw(Inputs.TemplateParameters),
    migrationsFile: raw(Inputs.MigrationsFile),
    adoptOutputDir: raw(Inputs.AdoptOutputDir),
    shard: raw(Inputs.Shard),
    shardCount: raw(Inputs.ShardCount)
  })
  if (!parsed.success) throw new MigrationError('INVALID_INPUT', parsed.error.issues[0]?.message ?? 'Invalid input')
  const v = parsed.data
  const region = v.region || env.AWS_REGION || env.AWS_DEFAULT_REGION
  if (!region) throw new MigrationError('INVALID_INPUT', `Input "${Inputs.AwsRegion}" is required (or set AWS_REGION), e.g. us-east-1.`)
  // Drift reads every table and proposes the migrations: it takes none.
  const pairs = v.mode === 'drift' && !raw(Inputs.Migrations).trim() ? [] : parseMigrations(raw(Inputs.Migrations))
  const drift = v.mode === 'drift' ? driftSettings(v) : undefined
  const runId = env.GITHUB_RUN_ID ?? 'local'
  return {
    mode: v.mode,
    pairs,
    engine: {
      createTarget: v.createTarget,
      allowNonEmptyTarget: v.allowNonEmptyTarget,
      scanSegments: v.scanSegments as number,
      consistentRead: v.consistentRead,
      writeConcurrency: v.writeConcurrency as number,
      maxWriteRate: v.maxWriteRate as number,
      tableConcurrency: v.tableConcurrency as number,
      backupDir: v.backupDir ?? 'dynamodb-backups',
      region,
      confirmDelete: v.confirmDelete,
      disableDeletionProtection: v.disableDeletionProtection,
      awsBackupBeforeDelete: v.awsBackupBeforeDelete,
      live: readLiveInputs((name) => raw(name as Inputs)),
      ...shardSettings(v.shard, v.shardCount, v.scanSegments as number)
    },
    aws: {
      region,
      roleToAssume: v.roleToAssume,
      roleSessionName: v.roleSessionName ?? `dynamodb-migrate-${runId}`,
      audience: v.audience ?? 'sts.amazonaws.com',
      endpointUrl: v.endpointUrl,
      stsEndpointUrl: v.stsEndpointUrl,
      maxRetries: v.maxRetries as number
    },
    uploadArtifact: v.uploadArtifact,
    artifactRetentionDays: v.artifactRetentionDays,
    backup: v.backup,
    tempTable: v.tempTable,
    protectedEnvironments: v.protectedEnvironments.length ? v.protectedEnvironments : ['prod', 'production'],
    environment: v.environment,
    githubToken: v.githubToken,
    commentOnPr: v.commentOnPr,
    drift
  }
}

/** Fan-out across runners: shard i of n scans segments i, i+n, ... of the parallel scan. */
function shardSettings(shard: number | undefined, shardCount: number | undefined, scanSegments: number): { shard?: number; shardCount?: number } {
  if (shard === undefined && shardCount === undefined) return {}
  if (shard === undefined || shardCount === undefined) throw new MigrationError('INVALID_INPUT', `Inputs "${Inputs.Shard}" and "${Inputs.ShardCount}" go together (e.g. shard: \${{ matrix.shard }}, shard-count: 3).`)
  if (shard >= shardCount) throw new MigrationError('INVALID_INPUT', `Input "${Inputs.Shard}": got "${shard}"; expected a whole number from 0 to ${shardCount - 1} (shard-count is ${shardCount}).`)
  if (scanSegments < shardCount) throw new MigrationError('INVALID_INPUT', `Input "${Inputs.ScanSegments}": got "${scanSegments}"; expected at least shard-count (${shardCount}) so every shard has segments to scan.`)
  return { shard, shardCount }
}

function driftSettings(v: {
  namingConvention?: string
  stage?: string
  service?: string
  iacTemplate?: string
  managedTables: string[]
  stackName?: string
  templateParameters: string
  migrationsFile?: string
  adoptOutputDir?: string
}): DriftSettings {
  if (!v.namingConvention) throw new MigrationError('INVALID_INPUT', `Input "${Inputs.NamingConvention}" is required with mode drift, e.g. \${stage}-\${name}.`)
  if (!v.stage) throw new MigrationError('INVALID_INPUT', `Input "${Inputs.Stage}" is required with mode drift, e.g. qa.`)
  const templateParameters: Record<string, string> = {}
  for (const line of v.templateParameters.split(/\r?\n/).map((l) => l.trim()).filter(Boolean)) {
    const eq = line.indexOf('=')
    if (eq <= 0) throw new MigrationError('INVALID_INPUT', `Input "${Inputs.TemplateParameters}": got "${line}"; expected Name=value lines.`)
    templateParameters[line.slice(0, eq).trim()] = line.slice(eq + 1).trim()
  }
  return {
    namingConvention: v.namingConvention,
    stage: v.stage,
    service: v.service,
    iacTemplate: v.iacTemplate,
    managedTables: v.managedTables,
    stackName: v.stackName,
    templateParameters,
    migrationsFile: v.migrationsFile,
    adoptOutputDir: v.adoptOutputDir
  }
}
