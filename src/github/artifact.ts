import { promises as fs } from 'node:fs'
import path from 'node:path'
import { DefaultArtifactClient, type ArtifactClient } from '@actions/artifact'
import { MANIFEST_FILE } from '../backup/manifest.js'
import { MigrationError, errorMessage } from '../errors.js'

/** What names a backup artifact. */
export interface BackupArtifactOptions {
  /** The source table the backup was taken from. */
  table: string
  /** The GitHub environment of the job, when it has one; part of the name so environments never collide. */
  environment?: string
  /** GITHUB_RUN_ID of this run. */
  runId: number | string
  /**
   * GITHUB_RUN_ATTEMPT. A re-run keeps the run id, and the artifact service refuses a second
   * artifact of the same name in a run, so attempts after the first add `-<attempt>` to the name.
   */
  runAttempt?: number | string
  /** Days GitHub keeps the artifact (1-90, capped by the repository's setting); unset = the repository's default. */
  retentionDays?: number
}

export interface UploadedBackup {
  name: string
  id: number
  /** Bytes of the uploaded zip. */
  size: number
}

/** Which artifact to download: `name` (this run) or `<run-id>/<name>` (another run of this repository). */
export interface ArtifactSpec {
  name: string
  runId?: number
}

export interface ArtifactAccess {
  /** A token with `actions: read`; needed only for another run's artifact. */
  token?: string
  /** `owner/name` (GITHUB_REPOSITORY) or `github.context.repo`; needed only for another run's artifact. */
  repo?: string | { owner: string; repo: string }
}

/** Characters an artifact name may not contain (NTFS limits, enforced by the artifact service), plus whitespace. */
const UNSAFE_CHARS = String.raw`[":<>|*?\\/\s\u0000-\u001f]`
const UNSAFE = new RegExp(`${UNSAFE_CHARS}+`, 'g')
const UNSAFE_EDGES = new RegExp(`^${UNSAFE_CHARS}+|${UNSAFE_CHARS}+$`, 'g')
const HAS_UNSAFE = new RegExp(UNSAFE_CHARS)

/**
 * `dynamodb-backup-<table>[-<environment>]-<runId>[-<attempt>]` (attempt only after the first),
 * with characters artifact names may not hold replaced by `-`.
 */
export function backupArtifactName({ table, environment, runId, runAttempt }: Pick<BackupArtifactOptions, 'table' | 'environment' | 'runId' | 'runAttempt'>): string {
  const attempt = Number(runAttempt ?? 1) > 1 ? [String(runAttempt)] : []
  const parts = ['dynamodb-backup', table, ...(environment ? [environment] : []), String(runId), ...attempt]
  return parts
    .map((p) => p.replace(UNSAFE_EDGES, '').replace(UNSAFE, '-'))
    .filter(Boolean)
    .join('-')
}

export function parseArtifactSpec(spec: string): ArtifactSpec {
  const trimmed = spec.trim()
  const other = /^(\d+)\/([^/]+)$/.exec(trimmed)
  if (other) return { runId: Number(other[1]), name: other[2]! }
  if (!trimmed || HAS_UNSAFE.test(trimmed)) {
    throw new MigrationError('INVALID_INPUT', `Invalid backup artifact "${spec}": give an artifact name of this run, or <run-id>/<name> for another run of this repository.`)
  }
  return { name: trimmed }
}

/** Every file under dir, recursively (the artifact client zips the list it is given, relative to dir). */
async function listFiles(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { withFileTypes: true, recursive: true })
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name))
}

/**
 * Uploads a backup folder (manifest.json and its data files, recursively) as one artifact of this
 * run. Needs ACTIONS_RUNTIME_TOKEN and ACTIONS_RESULTS_URL, which the runner provides to actions.
 */
export async function uploadBackup(dir: string, options: BackupArtifactOptions, client: ArtifactClient = new DefaultArtifactClient()): Promise<UploadedBackup> {
  const name = backupArtifactName(options)
  const root = path.resolve(dir)
  const files = await listFiles(root).catch((error: unknown) => {
    throw new MigrationError('BACKUP_INVALID', `Cannot read backup folder ${root}: ${errorMessage(error)}`)
  })
  if (!files.includes(path.join(root, MANIFEST_FILE))) {
    throw new MigrationError('BACKUP_INVALID', `${root} has no ${MANIFEST_FILE}: it is not a backup folder, so it was not uploaded as ${name}.`)
  }
  const { retentionDays } = options
  if (retentionDays !== undefined && !(Number.isInteger(retentionDays) && retentionDays >= 1)) {
    throw new MigrationError('INVALID_INPUT', `artifact-retention-days must be a whole number of days of at least 1, not ${retentionDays}.`)
  }
  try {
    const uploaded = await client.uploadArtifact(name, files, root, retentionDays ? { retentionDays } : {})
    if (uploaded.id === undefined) throw new Error('the artifact service returned no artifact id')
    return { name, id: uploaded.id, size: uploaded.size ?? 0 }
  } catch (error) {
    const taken = /\(409\)|already exists/i.test(errorMessage(error)) ? ' An artifact of that name already exists in this workflow run; backups are never overwritten, so give this job its own environment or run attempt.' : ''
    throw new MigrationError('GITHUB_ERROR', `Could not upload backup artifact ${name}: ${errorMessage(error)}${taken}`)
  }
}

function splitRepo(repo: ArtifactAccess['repo']): { owner: string; repo: string } | undefined {
  if (typeof repo === 'object') return repo
  const [owner, name, ...rest] = (repo ?? '').split('/')
  return owner && name && !rest.length ? { owner, repo: name } : undefined
}

/**
 * Downloads a backup artifact into destDir and returns the folder holding its manifest.json.
 * `spec` is a name of this run's artifacts, or `<run-id>/<name>` for another run of the repository
 * (then `token` must be able to read actions, and `repo` names the repository).
 */
export async function downloadBackup(spec: string, destDir: string, access: ArtifactAccess = {}, client: ArtifactClient = new DefaultArtifactClient()): Promise<string> {
  const { name, runId } = parseArtifactSpec(spec)
  let findBy: { token: string; workflowRunId: number; repositoryOwner: string; repositoryName: string } | undefined
  if (runId !== undefined) {
    const repo = splitRepo(access.repo)
    if (!access.token) throw new MigrationError('INVALID_INPUT', `Backup artifact ${spec} is from another run: set github-token (with permissions actions: read) so it can be downloaded.`)
    if (!repo) throw new MigrationError('INVALID_INPUT', `Backup artifact ${spec} is from another run, but the repository is unknown (expected owner/name, got "${String(access.repo)}").`)
    findBy = { token: access.token, workflowRunId: runId, repositoryOwner: repo.owner, repositoryName: repo.repo }
  }
  const where = runId === undefined ? 'this run' : `run ${runId}`
  const dir = path.resolve(destDir)
  let artifact: { id: number; digest?: string }
  try {
    artifact = (await client.getArtifact(name, findBy ? { findBy } : undefined)).artifact
  } catch (error) {
    if ((error as { name?: string })?.name === 'ArtifactNotFoundError') {
      throw new MigrationError('BACKUP_INVALID', `No backup artifact named ${name} in ${where} (expired, or a different name?). ${runId === undefined ? 'For an artifact of another run, give <run-id>/<name>.' : ''}`.trim())
    }
    throw new MigrationError('GITHUB_ERROR', `Could not look up backup artifact ${name} in ${where}: ${errorMessage(error)}`)
  }
  let digestMismatch = false
  try {
    ;({ digestMismatch = false } = await client.downloadArtifact(artifact.id, { path: dir, ...(artifact.digest ? { expectedHash: artifact.digest } : {}), ...(findBy ? { findBy } : {}) }))
  } catch (error) {
    throw new MigrationError('GITHUB_ERROR', `Could not download backup artifact ${name} from ${where}: ${errorMessage(error)}`)
  }
  if (digestMismatch) throw new MigrationError('BACKUP_INVALID', `Backup artifact ${name} from ${where} does not match the digest recorded at upload: it was corrupted in transit; download it again.`)
  const manifest = path.join(dir, MANIFEST_FILE)
  if (!(await fs.stat(manifest).catch(() => undefined))?.isFile()) {
    throw new MigrationError('BACKUP_INVALID', `Artifact ${name} from ${where} holds no ${MANIFEST_FILE}: it is not a backup made by this action.`)
  }
  return dir
}
