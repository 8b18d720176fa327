import { promises as fs } from 'node:fs'
import path from 'node:path'
import { readManifest, type LoadedBackup } from './manifest.js'

/** How far a migrate run got with a backup: written beside it, read by a rerun to resume. */
export interface MigrationState {
  source: string
  target: string
  phase: 'backed-up' | 'target-ready' | 'copied' | 'verified' | 'mismatch'
  /** The target was created by this tool (not by IaC). */
  createdTarget: boolean
  updatedAt: string
}

const STATE_FILE = 'migration-state.json'

export async function writeState(backupDir: string, state: Omit<MigrationState, 'updatedAt'>): Promise<void> {
  const file = path.join(backupDir, STATE_FILE)
  await fs.writeFile(`${file}.tmp`, JSON.stringify({ ...state, updatedAt: new Date().toISOString() }, null, 2))
  await fs.rename(`${file}.tmp`, file)
}

export async function readState(backupDir: string): Promise<MigrationState | undefined> {
  return fs
    .readFile(path.join(backupDir, STATE_FILE), 'utf8')
    .then((t) => JSON.parse(t) as MigrationState)
    .catch(() => undefined)
}

/**
 * The newest complete backup of `source` under `root` whose migration into `target` did not
 * finish: what a rerun of `migrate` resumes from. A backup that died before its manifest was
 * written is not complete and is never resumed from.
 */
export async function findUnfinished(
  root: string,
  source: string,
  target: string,
  accept: (backup: LoadedBackup) => boolean = () => true
): Promise<{ backup: LoadedBackup; state: MigrationState } | undefined> {
  const entries = await fs.readdir(root, { withFileTypes: true }).catch(() => [])
  const found: Array<{ backup: LoadedBackup; state: MigrationState }> = []
  for (const entry of entries) {
    if (!entry.isDirectory() || !entry.name.startsWith(`${source}-`)) continue
    const dir = path.join(root, entry.name)
    const state = await readState(dir)
    if (!state || state.source !== source || state.target !== target || state.phase === 'verified') continue
    const backup = await readManifest(dir).catch(() => undefined)
    if (backup && backup.manifest.table.name === source && accept(backup)) found.push({ backup, state })
  }
  found.sort((a, b) => b.backup.manifest.finishedAt.localeCompare(a.backup.manifest.finishedAt))
  return found[0]
}
